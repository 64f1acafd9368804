/** The export dialog's call into the export module (src/export/export.ts). */
import type { Dataset } from '../flows/dataset.js';
import { exportFlows } from '../export/export.js';
import type { ExportFormat, ExportResult } from './screens/ExportDialog.js';

export type ExportFn = (ds: Dataset, indices: Uint32Array, path: string, format: ExportFormat, force: boolean) => Promise<ExportResult>;

export const exportViaModule: ExportFn = (ds, indices, path, format, force) =>
  exportFlows(ds, indices, path, { ...(format === 'auto' ? {} : { format }), force, userappl: 'rsttui (UI)' });
