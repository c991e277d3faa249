import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts: no young-generation growth while the application's modules load.
 * Loading them alone grew V8's young generation to 64 MiB (V8 gave it back only minutes later),
 * and module loading is synchronous, so capNewSpace's GC observer cannot act until it ends.
 * bootstrap() then hands growth to capNewSpace, with the configured cap.
 */
setFlagsFromString('--semi-space-growth-factor=1');
