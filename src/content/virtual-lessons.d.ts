declare module 'virtual:lessons' {
  const lessons: import('./types.ts').Lesson[];
  export default lessons;
}
