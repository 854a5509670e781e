import { registerFileEndHook } from './file-end.js';

registerFileEndHook();
