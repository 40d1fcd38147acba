/** The public surface of bric's core (see ../shared/CONTRACT.md): re-exports only. @module */
export { createCodec, type Codec } from './codec/rs.js';
export { CodecInputError, CodecParamsError } from './codec/errors.js';
