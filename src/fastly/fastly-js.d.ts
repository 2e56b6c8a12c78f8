// fastly-js ships no TypeScript types; the gateway is the typed face of it.
declare module 'fastly' {
  // biome-ignore lint/suspicious/noExplicitAny: untyped module; src/fastly/create-gateway.ts gives each call its type.
  const Fastly: Record<string, any>;
  export = Fastly;
}
