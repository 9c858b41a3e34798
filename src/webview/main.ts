// The side panel's browser code. The panel conversation is built in the panel issue; this entry keeps the
// bundle in the build so the layout and the packaging are settled now.
export {};
