// Which build of plumbline is running. The CommonJS build (scripts/build-cjs.mjs) defines
// import.meta.url as undefined. There, a package is loaded with the module's own `require`, not
// `import()`: a test runner that runs CommonJS in its own module registry (Jest) has no dynamic
// import callback ("A dynamic import callback was invoked without --experimental-vm-modules"),
// and only its `require` reaches the registry the app's other modules (NodeSDK's api-logs) are in.
export const COMMONJS_BUILD = (import.meta.url as string | undefined) === undefined;
