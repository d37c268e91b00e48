/**
 * Dockerfile front end: BuildKit-compatible parser and shell-word lexer (pure TypeScript,
 * no platform APIs). Import from here rather than from the individual files.
 */

/** Parser: text to instruction nodes, BuildKit's dump format, heredoc helpers and errors. */
export {
  DockerfileSyntaxError,
  chompHeredocContent,
  dump,
  dumpInstruction,
  parseDockerfile,
  type DockerfileAST,
  type DockerfileErrorKind,
  type DockerfileNode,
  type Heredoc,
  type ParserDirective,
  type ParseWarning,
} from './parser.ts';

/** Shell lexer: quote removal, `$VAR` expansion and word splitting for instruction arguments. */
export {
  ShellExpansionError,
  ShellLexer,
  buildEnvs,
  type EscapeToken,
  type ProcessWordResult,
  type ShellEnv,
  type ShellLexerOptions,
} from './shell.ts';
