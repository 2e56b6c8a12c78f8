// fastly-js ships no TypeScript types; the gateway is the typed face of it.
declare module 'fastly' {
  const Fastly: Record<string, any>;
  export = Fastly;
}
