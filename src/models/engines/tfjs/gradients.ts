/**
 * Registers TensorFlow.js's gradient functions. tfjs-core's Node bundle ships without them (the
 * `@tensorflow/tfjs` union package registers them); tfjs-layers' Node bundle registers every one of
 * them into tfjs-core's global registry when it loads, so importing it is how we get them without the
 * union package. Side-effect import only.
 */
import '@tensorflow/tfjs-layers';
