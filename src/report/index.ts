/**
 * `mia-audit/report`: the report stage's public pieces. A run directory (docs/run-dir.md) →
 * `report/report.html` plus every chart as SVG and PNG (writeReport; docs/report.md), the chart specs
 * and their renderers, and TF Privacy's AttackResultsCollection. Re-exports only; code inside src/
 * imports the concrete files, never this index.
 */
export { type BuildChartsOptions, type BuiltChart, buildCharts } from './build-charts.js';
export * from './chart-spec.js';
export { modelsChart, slicesChart } from './charts/bars.js';
export { privacyByEpochChart, privacyVsUtilityChart } from './charts/privacy-epoch.js';
export { logFprFloor, type RocCurveInput, rocChart } from './charts/roc.js';
export { samplesChart } from './charts/samples.js';
export { trainingChart } from './charts/training.js';
export {
  type AttackResultsCollection,
  loadCollection,
  mergeCollections,
  type PrivacyPoint,
  type PrivacyReportMetadata,
  parseCollection,
  pointsFromResults,
  saveCollection,
} from './collection.js';
export {
  type Ceiling,
  ceilingChecks,
  type GateCheck,
  type GateResults,
  type GateRule,
  parseSliceSelector,
  readGateResults,
  selectResults,
} from './gate.js';
export { increaseChecks, moverDifference, pairedDifference } from './gate-baseline.js';
export { formatCheck, gateJunit, gateMarkdown } from './gate-output.js';
export { buildHtml } from './html.js';
export { encodeRgbPng, svgToPng } from './png.js';
export { type ReportResult, type RunData, readRunDir } from './run-dir.js';
export { type LeakageLevel, leakageLevel, type Summary, summarizeResults } from './summary.js';
export { type RenderedChart, renderChart } from './svg.js';
export { CHART_FILE, type WriteReportOptions, type WriteReportResult, writeReport } from './write-report.js';
