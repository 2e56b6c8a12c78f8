// The Compute package, bundled with the Worker as a Data module (wrangler.toml's [[rules]]).
declare module '*.tar.gz' {
  const bytes: ArrayBuffer;
  export default bytes;
}
