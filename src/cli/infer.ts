/**
 * `mia infer --model PATH --out outputs.npz`: a model's outputs on members and non-members with TF
 * Privacy's key names (src/signals/outputs-npz.ts), for `mia attack --input`. The rows: src/data/row-indices.ts.
 */
import { outputName } from '../io/output-target.js';
import { defineCommand } from './command.js';
import { text } from './flags.js';
import { MODEL_FLAG_DESCRIPTION, modelSampleFlags } from './model-samples.js';

export const inferCommand = defineCommand({
  name: 'infer',
  summary: "write a model's outputs on members and non-members (.npz for mia attack)",
  description: `Writes a model's outputs on members (its training samples: logits_train, probs_train, loss_train,
labels_train) and on non-members (*_test), with TF Privacy's key names, so that
\`mia attack --input outputs.npz\` runs on it directly. logits_* are written when the model gives logits.`,
  flags: {
    model: text({ required: true, placeholder: 'PATH', description: MODEL_FLAG_DESCRIPTION }),
    ...modelSampleFlags(),
    out: text({
      required: true,
      placeholder: 'FILE',
      output: 'file',
      example: 'outputs.npz',
      description: 'the .npz to write (TF Privacy key names, the input of `mia attack --input`)',
    }),
  },
  async run(args) {
    const { loadModelSamples } = await import('./model-samples.js');
    const { predictOutputs } = await import('../signals/inference.js');
    const { outputsAccuracy, writeOutputsNpz } = await import('../signals/outputs-npz.js');
    const {
      predictor,
      members: m,
      nonMembers: nm,
      from,
      datasetName,
    } = await loadModelSamples(args.model, args, 'infer');
    try {
      console.log(`model: ${predictor.description}`);
      const opts = { batchSize: args['batch-size'] };
      const mOut = await predictOutputs(predictor, m, { ...opts, where: 'members', suffix: '_train' });
      const nmOut = await predictOutputs(predictor, nm, { ...opts, where: 'non-members', suffix: '_test' });
      writeOutputsNpz(args.out, mOut, nmOut);
      console.log(
        `members: ${mOut.n} (${datasetName} train rows), accuracy ${(100 * outputsAccuracy(mOut)).toFixed(2)}%; ` +
          `non-members: ${nmOut.n} (${from} rows), accuracy ${(100 * outputsAccuracy(nmOut)).toFixed(2)}%`,
      );
      console.log(
        `wrote ${outputName(args.out)} (${predictor.outputKind === 'logits' ? 'logits, ' : ''}probs, loss, labels); next: mia attack --input ${args.out}`,
      );
    } finally {
      await predictor.dispose();
    }
    return 0;
  },
});
