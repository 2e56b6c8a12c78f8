// fastly-js ships no TypeScript types; src/fastly/fastly-classes.ts picks its classes, the gateway types each call.
declare module 'fastly/dist/*.js' {
  const file: unknown;
  export default file;
}
