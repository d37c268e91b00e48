/** Pure view models: engine data in, what a picture shows out (plus text for screen readers). */
export * from './build-steps.ts';
export * from './compose-projects.ts';
export * from './containers.ts';
export * from './format.ts';
export * from './image-layers.ts';
export * from './layer-files.ts';
export * from './machine.ts';
export * from './volumes.ts';
