/** The built web UI (`vite build` at install time), which `weir up` serves at `/`. */
export declare const webRoot: string;
