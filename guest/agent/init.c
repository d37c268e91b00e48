/* docker-init: what `docker run --init` runs as the container's PID 1, as tini does for Docker.
 * The agent binary, bound read-only at /sbin/docker-init, behaves as this when called by that
 * name: it starts the command as its child in a process group of its own (the foreground one on
 * a terminal, so Ctrl-C reaches the command alone), forwards every signal it gets to it, reaps
 * every orphan that the kernel hands to PID 1, and exits with the command's status (128+N when
 * signal N ended it). */

static int init_main(int argc, char **argv) {
  int first = 1;
  if (first < argc && !strcmp(argv[first], "--")) first++;
  if (first >= argc) {
    fprintf(stderr, "docker-init: no command to run (usage: docker-init -- COMMAND [ARG...])\n");
    return 1;
  }
  /* the agent already blocked every signal before exec (see child_main): none sent meanwhile was lost */
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  sigprocmask(SIG_BLOCK, &all, NULL);
  pid_t child = fork();
  if (child < 0) { fprintf(stderr, "docker-init: fork: %s\n", strerror(errno)); return 1; }
  if (child == 0) {
    setpgid(0, 0);
    if (isatty(STDIN_FILENO)) {
      signal(SIGTTOU, SIG_IGN);
      tcsetpgrp(STDIN_FILENO, getpid());
      signal(SIGTTOU, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(argv[first], argv + first);
    fprintf(stderr, "docker-init: exec %s failed: %s\n", argv[first], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  for (;;) {
    struct timespec tick = { 1, 0 };
    siginfo_t info;
    int sig = sigtimedwait(&all, &info, &tick);
    if (sig > 0 && sig != SIGCHLD) kill(child, sig);
    int st;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
      if (p != child) continue;
      if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
      return WEXITSTATUS(st);
    }
  }
}
