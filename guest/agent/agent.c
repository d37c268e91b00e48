/*
 * layerlab-agent: PID 1 of the LayerLab guest and the one process the host talks to.
 *
 * Protocol: see PROTOCOL.md beside this file. Frames arrive on /dev/ttyS1 and leave on
 * /dev/hvc0. Each SPAWN starts a session: a process with its own argv, env, user, root,
 * namespaces, cgroup limits and either pipes or a pty. Output is forwarded under a credit
 * window (flow control); EXIT is sent after the process is reaped and its output drained.
 *
 * Built static for i386 by guest/build.sh (gcc -m32 -static).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <ftw.h>
#include <termios.h>
#include <unistd.h>

#include "network.c"

#define AGENT_VERSION "layerlab-agent 1"

enum {
  T_SPAWN = 0x01, T_STDIN = 0x02, T_STDIN_EOF = 0x03, T_SIGNAL = 0x04, T_RESIZE = 0x05,
  T_CREDIT = 0x06, T_PING = 0x07, T_SETTIME = 0x08, T_ENTROPY = 0x09,
  T_READY = 0x81, T_STARTED = 0x82, T_STDOUT = 0x83, T_STDERR = 0x84, T_EXIT = 0x85,
  T_STDIN_ACK = 0x86, T_PONG = 0x87, T_FAILED = 0x88,
};

#define HEADER 9
#define MAX_PAYLOAD (1u << 20)
#define INITIAL_CREDIT (256u * 1024u)
#define READ_CHUNK (32u * 1024u)
#define MAX_SESSIONS 512
#define MAX_LIST 256

struct spec {
  char *argv[MAX_LIST + 1]; int argc;
  char *envp[MAX_LIST + 1]; int envc;
  char *lower[MAX_LIST]; int lowerc;
  char *bind[MAX_LIST]; int bindc;
  char *file[MAX_LIST]; int filec;
  char *tmpfs[MAX_LIST]; int tmpfsc;     /* PATH[:OPTIONS]: a tmpfs at PATH in the container */
  char *rlimit[MAX_LIST]; int rlimitc;   /* NAME:SOFT:HARD, set before exec */
  const char *shm;                       /* /dev/shm's size in bytes (default 64 MiB, as Docker) */
  const char *cwd, *root, *ns, *hostname, *upper, *work, *cgroup, *memory_max, *pids_max;
  const char *pty, *stderr_mode, *stdin_mode, *groups;
  const char *caps;            /* capability bounding set, hex (absent: unchanged) */
  int uid, gid, join, proc, readonly;
  int nonewprivs, mask;        /* no_new_privs; runc's masked and read-only paths */
  const char *bridge[MAX_NETS]; int bridgec;   /* bridges to make when missing */
  const char *dns;                             /* bridges whose names the embedded DNS answers */
  const char *connect;                         /* ADDR:PORT: a TCP connection instead of a process */
  struct net_attach net[MAX_NETS]; int netc;   /* veth pairs into the new (or joined) netns */
};

struct session {
  int used;
  uint32_t id;
  pid_t pid;
  int out_fd, err_fd, in_fd;   /* -1 when closed; for a pty, out_fd == in_fd == master */
  int is_pty;
  uint32_t credit;
  unsigned char *inbuf; size_t inlen, incap; int in_eof;
  int exited, status;
  char cgroup[160]; int cgroup_owned; long oom_before;
  int has_dns, dns_fd; char dns_bridges[160];   /* the embedded DNS socket in its netns */
  int is_socket, connecting; char target[64];     /* a `connect` session: a TCP connection, no process */
};

static struct session sessions[MAX_SESSIONS];
/* cgroups whose session ended but which still held dying processes: removed as soon as they are empty */
static char doomed_cgroups[MAX_SESSIONS][160];
static int rx_fd = -1, tx_fd = -1;
static unsigned char *txbuf; static size_t txlen, txcap;
static unsigned char *rxbuf; static size_t rxlen, rxcap;

/* ---------- small helpers ---------- */

static void die(const char *what) {
  fprintf(stderr, "layerlab-agent: %s: %s\n", what, strerror(errno));
  /* PID 1 must not exit; sleep forever so the host sees a wedged (not panicked) guest */
  for (;;) pause();
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n);
  if (!q) die("out of memory");
  return q;
}

static void put_u32(unsigned char *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static uint32_t get_u32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static void send_frame(uint8_t type, uint32_t sid, const void *data, uint32_t len) {
  if (txlen + HEADER + len > txcap) {
    txcap = (txlen + HEADER + len) * 2;
    txbuf = xrealloc(txbuf, txcap);
  }
  unsigned char *p = txbuf + txlen;
  p[0] = type; put_u32(p + 1, sid); put_u32(p + 5, len);
  if (len) memcpy(p + HEADER, data, len);
  txlen += HEADER + len;
}

static void flush_tx(void) {
  size_t off = 0;
  while (off < txlen) {
    ssize_t n = write(tx_fd, txbuf + off, txlen - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) { struct pollfd p = { tx_fd, POLLOUT, 0 }; poll(&p, 1, 100); continue; }
      die("write hvc0");
    }
    off += (size_t)n;
  }
  txlen = 0;
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int e = errno;
  close(fd);
  errno = e;
  return n < 0 ? -1 : 0;
}

static long read_oom_kills(const char *cgroup) {
  char path[256], buf[1024];
  snprintf(path, sizeof path, "/sys/fs/cgroup/%s/memory.events", cgroup);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char *p = strstr(buf, "oom_kill ");
  return p ? strtol(p + 9, NULL, 10) : 0;
}

static int mkdir_p(const char *path, mode_t mode) {
  char tmp[4096];
  size_t len = strlen(path);
  if (len >= sizeof tmp) { errno = ENAMETOOLONG; return -1; }
  memcpy(tmp, path, len + 1);
  for (char *p = tmp + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      if (mkdir(tmp, mode) < 0 && errno != EEXIST) return -1;
      *p = '/';
    }
  }
  if (mkdir(tmp, mode) < 0 && errno != EEXIST) return -1;
  return 0;
}

static void set_raw(int fd) {
  struct termios t;
  if (tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1; t.c_cc[VTIME] = 0;
    tcsetattr(fd, TCSANOW, &t);
  }
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* ---------- the child side: everything between clone() and exec() ---------- */

/* Report a setup failure on the session's stderr and exit like Docker's runtime would. */
static void child_fail(int code, const char *fmt, ...) {
  char msg[1024];
  va_list ap; va_start(ap, fmt); vsnprintf(msg, sizeof msg, fmt, ap); va_end(ap);
  dprintf(2, "%s\n", msg);
  _exit(code);
}

static const char *env_lookup(char **envp, const char *name) {
  size_t n = strlen(name);
  for (; *envp; envp++) if (!strncmp(*envp, name, n) && (*envp)[n] == '=') return *envp + n + 1;
  return NULL;
}

/* An errno in Go's wording, as runc prints it: glibc's text with a lower-case first letter
 * ("permission denied", "exec format error", "not a directory"). */
static const char *go_strerror(int e) {
  static char buf[128];
  snprintf(buf, sizeof buf, "%s", strerror(e));
  if (buf[0] >= 'A' && buf[0] <= 'Z') buf[0] = (char)(buf[0] - 'A' + 'a');
  return buf;
}

/* Runs the spec's command the way runc does. First Go's exec.LookPath: its errors mean the
 * process never started, with the status docker run derives from the message (127 for a missing
 * command, 126 for one it may not run, else 125). Then execve, whose error belongs to the started
 * process: `exec PATH: ERR`, exit 1 (a script whose interpreter is missing, a binary for another
 * CPU: "exec /app/start.sh: exec format error"). */
static void exec_spec(struct spec *s) {
  const char *file = s->argv[0];
  const char *path = NULL;
  char buf[4096];
  struct stat st;
  if (strchr(file, '/')) {
    if (stat(file, &st) < 0) {
      int e = errno;
      child_fail(e == ENOENT ? 127 : e == EACCES ? 126 : 125, "exec: \"%s\": stat %s: %s", file, file, go_strerror(e));
    }
    int e = S_ISDIR(st.st_mode) ? EISDIR : faccessat(AT_FDCWD, file, X_OK, AT_EACCESS) < 0 ? errno : 0;
    if (e) child_fail(e == EACCES || e == EISDIR ? 126 : 125, "exec: \"%s\": %s", file, go_strerror(e));
    path = file;
  } else {
    /* like LookPath: the first PATH entry that is an executable file; anything else is "not found" */
    const char *dirs = env_lookup(s->envp, "PATH");
    if (!dirs) dirs = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (;;) {
      const char *end = strchr(dirs, ':');
      int len = end ? (int)(end - dirs) : (int)strlen(dirs);
      snprintf(buf, sizeof buf, "%.*s/%s", len ? len : 1, len ? dirs : ".", file);
      if (stat(buf, &st) == 0 && !S_ISDIR(st.st_mode) && faccessat(AT_FDCWD, buf, X_OK, AT_EACCESS) == 0) { path = buf; break; }
      if (!end) break;
      dirs = end + 1;
    }
    if (!path) child_fail(127, "exec: \"%s\": executable file not found in $PATH", file);
  }
  execve(path, s->argv, s->envp);
  child_fail(1, "exec %s: %s", path, go_strerror(errno));
}

#include "isolation.c"
#include "init.c"
#include "dns.c"

/* A container's /dev: a fresh tmpfs over the image's /dev (resolved inside the root) with the usual nodes. */
static void make_dev(int rootfd, const char *shm_size) {
  char buf[64];
  static const struct { const char *name; int major, minor; } devs[] = {
    { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
  };
  char shm_opts[64];
  snprintf(shm_opts, sizeof shm_opts, "mode=1777,size=%s", shm_size ? shm_size : "67108864");
  int at = mkdir_in_root(rootfd, "/dev");
  if (at < 0 || mount("tmpfs", fd_path(at, buf, sizeof buf), "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") < 0)
    child_fail(125, "layerlab-agent: mount /dev: %s", strerror(errno));
  close(at);
  /* the fresh tmpfs: nothing in it can point elsewhere */
  int dev = open_in_root(rootfd, "/dev", O_RDONLY | O_DIRECTORY);
  if (dev < 0) child_fail(125, "layerlab-agent: open /dev: %s", strerror(errno));
  for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
    mknodat(dev, devs[i].name, S_IFCHR | 0666, makedev(devs[i].major, devs[i].minor));
    fchmodat(dev, devs[i].name, 0666, 0);
  }
  mkdirat(dev, "pts", 0755);
  int pts = openat(dev, "pts", O_PATH | O_CLOEXEC | O_NOFOLLOW);
  if (pts >= 0) { mount("/dev/pts", fd_path(pts, buf, sizeof buf), NULL, MS_BIND, NULL); close(pts); }
  symlinkat("pts/ptmx", dev, "ptmx");
  symlinkat("/proc/self/fd", dev, "fd");
  symlinkat("/proc/self/fd/0", dev, "stdin");
  symlinkat("/proc/self/fd/1", dev, "stdout");
  symlinkat("/proc/self/fd/2", dev, "stderr");
  mkdirat(dev, "shm", 01777);
  int shm = openat(dev, "shm", O_PATH | O_CLOEXEC | O_NOFOLLOW);
  if (shm >= 0) {
    if (mount("shm", fd_path(shm, buf, sizeof buf), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, shm_opts) < 0)
      child_fail(125, "layerlab-agent: mount /dev/shm (%s): %s", shm_opts, strerror(errno));
    close(shm);
  }
  close(dev);
}

static void loopback_up(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    ioctl(fd, SIOCSIFFLAGS, &ifr);
  }
  close(fd);
}

struct child_args {
  struct spec *spec;
  int in_r, out_w, err_w;   /* pipe ends, or -1 */
  int pty_slave;            /* or -1 */
  unsigned short rows, cols;
  int net_r, net_w;         /* the pipe on which the agent says the veth pairs are made, or -1 */
  int netns;                /* a pooled network namespace to enter instead of making one, or -1 */
};

/* The child's side of spawn's `net` keys: waits for the agent's veth pairs, then sets them up. */
static void join_networks(struct child_args *a) {
  struct spec *s = a->spec;
  if (s->netc == 0) return;
  close(a->net_w);
  unsigned char status = 0;
  ssize_t n;
  while ((n = read(a->net_r, &status, 1)) < 0 && errno == EINTR) {}
  close(a->net_r);
  if (n != 1) child_fail(125, "layerlab-agent: network: the agent did not make the interfaces");
  if (status) child_fail(125, "layerlab-agent: network: %s", strerror(status));
  char err[160];
  if (configure_nets(s->net, s->netc, err, sizeof err) < 0) child_fail(125, "layerlab-agent: network: %s", err);
}

static void reset_signals(void) {
  sigset_t all; sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  for (int i = 1; i < NSIG; i++) signal(i, SIG_DFL);
}

static void setup_stdio(struct child_args *a) {
  if (a->pty_slave >= 0) {
    ioctl(a->pty_slave, TIOCSCTTY, 0);
    struct winsize ws = { a->rows, a->cols, 0, 0 };
    ioctl(a->pty_slave, TIOCSWINSZ, &ws);
    dup2(a->pty_slave, 0); dup2(a->pty_slave, 1); dup2(a->pty_slave, 2);
    if (a->pty_slave > 2) close(a->pty_slave);
  } else {
    if (a->in_r >= 0) dup2(a->in_r, 0);
    else { int n = open("/dev/null", O_RDONLY); if (n >= 0 && n != 0) { dup2(n, 0); close(n); } }
    dup2(a->out_w, 1);
    dup2(a->err_w >= 0 ? a->err_w : a->out_w, 2);
    if (a->in_r > 2) close(a->in_r);
    if (a->out_w > 2) close(a->out_w);
    if (a->err_w > 2) close(a->err_w);
  }
}

static void enter_cgroup(struct spec *s) {
  if (!s->cgroup) return;
  char path[256];
  snprintf(path, sizeof path, "/sys/fs/cgroup/%s/cgroup.procs", s->cgroup);
  if (write_file(path, "0") < 0) child_fail(125, "layerlab-agent: join cgroup %s: %s", s->cgroup, strerror(errno));
}

/* --tmpfs PATH[:OPTIONS] / --mount type=tmpfs: Docker's flags (ro, noexec, nosuid, nodev and
 * their opposites) and tmpfs's own options (size, mode, uid, gid, nr_inodes); nosuid and nodev by
 * default, as Docker mounts them. */
static void mount_tmpfs(int rootfd, const char *spec) {
  char path[4096], data[512] = "", buf[64];
  snprintf(path, sizeof path, "%s", spec);
  char *opts = strchr(path, ':');
  if (opts) *opts++ = 0;
  unsigned long flags = MS_NOSUID | MS_NODEV;
  for (char *o = opts ? strtok(opts, ",") : NULL; o; o = strtok(NULL, ",")) {
    if (!strcmp(o, "ro")) flags |= MS_RDONLY;
    else if (!strcmp(o, "rw")) flags &= ~(unsigned long)MS_RDONLY;
    else if (!strcmp(o, "noexec")) flags |= MS_NOEXEC;
    else if (!strcmp(o, "exec")) flags &= ~(unsigned long)MS_NOEXEC;
    else if (!strcmp(o, "nosuid")) flags |= MS_NOSUID;
    else if (!strcmp(o, "suid")) flags &= ~(unsigned long)MS_NOSUID;
    else if (!strcmp(o, "nodev")) flags |= MS_NODEV;
    else if (!strcmp(o, "dev")) flags &= ~(unsigned long)MS_NODEV;
    else if (!strncmp(o, "size=", 5) || !strncmp(o, "mode=", 5) || !strncmp(o, "uid=", 4) || !strncmp(o, "gid=", 4) || !strncmp(o, "nr_inodes=", 10)) {
      size_t used = strlen(data);
      snprintf(data + used, sizeof data - used, "%s%s", used ? "," : "", o);
    } else child_fail(125, "layerlab-agent: invalid tmpfs option %s", o);
  }
  if (!strstr(data, "mode=")) {
    size_t used = strlen(data);
    snprintf(data + used, sizeof data - used, "%smode=1777", used ? "," : "");
  }
  int at = mkdir_in_root(rootfd, path);
  if (at < 0 || mount("tmpfs", fd_path(at, buf, sizeof buf), "tmpfs", flags, data) < 0)
    child_fail(125, "layerlab-agent: mount tmpfs on %s: %s", path, strerror(errno));
  close(at);
}

/* --ulimit NAME=SOFT[:HARD]: the engine sends NAME:SOFT:HARD (-1 for unlimited). */
static void set_rlimits(struct spec *s) {
  static const struct { const char *name; int resource; } names[] = {
    { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU }, { "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE },
    { "locks", RLIMIT_LOCKS }, { "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
    { "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC }, { "rss", RLIMIT_RSS }, { "rtprio", RLIMIT_RTPRIO },
    { "rttime", RLIMIT_RTTIME }, { "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK }, { "as", RLIMIT_AS },
  };
  for (int i = 0; i < s->rlimitc; i++) {
    char name[32];
    long long soft, hard;
    if (sscanf(s->rlimit[i], "%31[a-z]:%lld:%lld", name, &soft, &hard) != 3) child_fail(125, "layerlab-agent: bad rlimit %s", s->rlimit[i]);
    int found = -1;
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) if (!strcmp(names[n].name, name)) found = names[n].resource;
    if (found < 0) child_fail(125, "layerlab-agent: unknown rlimit %s", name);
    struct rlimit rl = { soft < 0 ? RLIM_INFINITY : (rlim_t)soft, hard < 0 ? RLIM_INFINITY : (rlim_t)hard };
    if (setrlimit(found, &rl) < 0) child_fail(125, "layerlab-agent: setrlimit %s: %s", name, strerror(errno));
  }
}

static void finish_and_exec(struct spec *s) {
  if (s->cwd && *s->cwd) {
    if (chdir(s->cwd) < 0) {
      if (errno != ENOENT || mkdir_p(s->cwd, 0755) < 0 || chdir(s->cwd) < 0)
        child_fail(125, "layerlab-agent: chdir to cwd (\"%s\"): %s", s->cwd, go_strerror(errno));
    }
  }
  set_rlimits(s);
  /* the bounding set shrinks while still root; setuid below still has what it needs until exec */
  limit_privileges(s->caps, s->nonewprivs);
  if (s->gid >= 0 || s->uid >= 0) {
    gid_t list[64]; size_t n = 0;
    for (const char *g = s->groups; g && *g && n < 64;) {
      list[n++] = (gid_t)strtoul(g, (char **)&g, 10);
      if (*g == ',') g++; else break;
    }
    if (setgroups(n, n ? list : NULL) < 0 && errno != EPERM) child_fail(125, "layerlab-agent: setgroups: %s", strerror(errno));
    if (s->gid >= 0 && setgid(s->gid) < 0) child_fail(125, "layerlab-agent: setgid %d: %s", s->gid, strerror(errno));
    if (s->uid >= 0 && setuid(s->uid) < 0) child_fail(125, "layerlab-agent: setuid %d: %s", s->uid, strerror(errno));
  }
  exec_spec(s);
}

/* Enter the namespaces and root of a running process (docker exec). */
static void join_and_exec(struct child_args *a) {
  struct spec *s = a->spec;
  /* cgroup too: a process in the container sees its cgroup as "/" (it was already moved into the
   * container's cgroup by enter_cgroup) */
  static const char *kinds[] = { "ipc", "uts", "net", "pid", "cgroup", "mnt" };
  enum { NKINDS = sizeof kinds / sizeof kinds[0] };
  int fds[NKINDS], rootfd;
  char p[128];
  for (int i = 0; i < NKINDS; i++) {
    snprintf(p, sizeof p, "/proc/%d/ns/%s", s->join, kinds[i]);
    fds[i] = open(p, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) child_fail(125, "layerlab-agent: open %s: %s", p, strerror(errno));
  }
  snprintf(p, sizeof p, "/proc/%d/root", s->join);
  rootfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) child_fail(125, "layerlab-agent: open %s: %s", p, strerror(errno));
  for (int i = 0; i < NKINDS; i++) {
    if (setns(fds[i], 0) < 0 && errno != EINVAL) child_fail(125, "layerlab-agent: setns %s: %s", kinds[i], strerror(errno));
    close(fds[i]);
  }
  join_networks(a);
  if (fchdir(rootfd) < 0 || chroot(".") < 0) child_fail(125, "layerlab-agent: enter root: %s", strerror(errno));
  close(rootfd);
  chdir("/");
  /* setns(pid) applies to children only: fork once more and mirror the child's fate. */
  pid_t pid = fork();
  if (pid < 0) child_fail(125, "layerlab-agent: fork: %s", strerror(errno));
  if (pid == 0) finish_and_exec(s);
  /* this process only waits: it must not hold the write end of a stdin pipe (its own session's
   * or another's, inherited from the agent: O_CLOEXEC never applies, as it does not exec), or
   * the process reading that pipe would never see its end (docker exec -i … < file) */
  for (int fd = 0; fd < 1024; fd++) close(fd);
  for (int i = 1; i < NSIG; i++) if (i != SIGKILL && i != SIGSTOP && i != SIGCHLD) signal(i, SIG_IGN);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  if (WIFSIGNALED(st)) _exit(128 + WTERMSIG(st));
  _exit(WEXITSTATUS(st));
}

static int child_main(void *arg) {
  struct child_args *a = arg;
  struct spec *s = a->spec;
  reset_signals();
  /* docker-init as PID 1 of a new pid namespace: a signal with no handler would be dropped until
   * it blocks them all, so they are blocked from here on and wait for it (`docker stop` at once
   * after `docker start` reaches the command) */
  if (s->argc > 0 && !strcmp(s->argv[0], "/sbin/docker-init")) {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
  }
  if (a->netns >= 0) {
    if (setns(a->netns, CLONE_NEWNET) < 0) child_fail(125, "layerlab-agent: setns net: %s", strerror(errno));
    close(a->netns);
  }
  enter_cgroup(s);
  setsid();
  setup_stdio(a);
  if (s->join > 0) join_and_exec(a);

  int newmnt = s->ns && strstr(s->ns, "mnt");
  if (newmnt && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    child_fail(125, "layerlab-agent: make mounts private: %s", strerror(errno));
  const char *root = s->root;
  /* A container (an overlay root in a new mount namespace) gets a cgroup namespace of its own,
   * rooted at the cgroup enter_cgroup just moved it into: /proc/self/cgroup reads "0::/" and the
   * cgroup2 mounted below shows the container's own memory.max and pids.max, as with Docker. */
  int container = newmnt && root && s->lowerc > 0;
  if (container && unshare(CLONE_NEWCGROUP) < 0)
    child_fail(125, "layerlab-agent: new cgroup namespace: %s", strerror(errno));
  if (root && s->lowerc > 0) {
    if (!newmnt) child_fail(125, "layerlab-agent: an overlay root needs a new mount namespace");
    mkdir_p(root, 0755);
    if (s->upper) mkdir_p(s->upper, 0755);
    if (s->work) mkdir_p(s->work, 0700);
    if (!s->upper && s->lowerc == 1) {
      if (mount(s->lower[0], root, NULL, MS_BIND | MS_REC, NULL) < 0)
        child_fail(125, "layerlab-agent: bind %s: %s", s->lower[0], strerror(errno));
    } else {
      char *opts = malloc(65536);
      size_t off = (size_t)snprintf(opts, 65536, "lowerdir=");
      for (int i = 0; i < s->lowerc; i++)
        off += (size_t)snprintf(opts + off, 65536 - off, "%s%s", i ? ":" : "", s->lower[i]);
      if (s->upper) off += (size_t)snprintf(opts + off, 65536 - off, ",upperdir=%s,workdir=%s", s->upper, s->work ? s->work : "");
      if (off >= 65536) child_fail(125, "layerlab-agent: too many overlay lower dirs");
      if (mount("overlay", root, "overlay", 0, opts) < 0)
        child_fail(125, "layerlab-agent: mount overlay on %s: %s", root, strerror(errno));
      free(opts);
    }
  }
  /* every path inside the root below is resolved through this fd, never leaving the root */
  int rootfd = root ? open(root, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  if (root && rootfd < 0) child_fail(125, "layerlab-agent: open root %s: %s", root, strerror(errno));
  /* files the engine wants in the guest before the binds (a container's own /etc/hosts…):
   * written here, in C, rather than by one more guest process per container start.
   * "PATH:CONTENT" replaces; a leading '?' ("?PATH:CONTENT") writes only a missing file. */
  for (int i = 0; i < s->filec; i++) {
    const char *spec = s->file[i];
    int only_missing = spec[0] == '?';
    if (only_missing) spec++;
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || (size_t)(colon - spec) >= 4096) child_fail(125, "layerlab-agent: bad file spec");
    char path[4096];
    memcpy(path, spec, (size_t)(colon - spec));
    path[colon - spec] = 0;
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) { *slash = 0; mkdir_p(parent, 0755); }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (only_missing ? O_EXCL : O_TRUNC), 0644);
    if (fd < 0) {
      if (only_missing && errno == EEXIST) continue;
      child_fail(125, "layerlab-agent: write %s: %s", path, strerror(errno));
    }
    const char *content = colon + 1;
    size_t left = strlen(content);
    while (left > 0) {
      ssize_t n = write(fd, content, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) child_fail(125, "layerlab-agent: write %s: %s", path, strerror(errno));
      content += n;
      left -= (size_t)n;
    }
    fchmod(fd, 0644);
    close(fd);
  }
  for (int i = 0; i < s->bindc; i++) {
    char src[4096], dst[4096];
    int ro = 0;
    snprintf(src, sizeof src, "%s", s->bind[i]);
    char *c1 = strchr(src, ':');
    if (!c1) child_fail(125, "layerlab-agent: bad bind spec \"%s\"", s->bind[i]);
    *c1++ = 0;
    char *c2 = strchr(c1, ':');
    if (c2) { *c2++ = 0; ro = !strcmp(c2, "ro"); }
    struct stat st;
    if (stat(src, &st) < 0) child_fail(125, "layerlab-agent: bind source %s: %s", src, strerror(errno));
    char buf[64];
    if (rootfd < 0) {
      /* no container root: the target is a machine path */
      snprintf(dst, sizeof dst, "%s", c1);
      if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
        child_fail(125, "layerlab-agent: bind %s to %s: %s", src, c1, strerror(errno));
      if (ro) mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
      continue;
    }
    /* The mount point is resolved inside the root (a symlink in the image cannot send it out) and
     * made only when missing: opening an existing file for writing on overlayfs copies it up, and
     * the init layer's /etc/hosts placeholder would land in the read-write layer. */
    int target = mountpoint_in_root(rootfd, c1, S_ISDIR(st.st_mode));
    if (target < 0) child_fail(125, "layerlab-agent: mount point %s: %s", c1, strerror(errno));
    if (mount(src, fd_path(target, buf, sizeof buf), NULL, MS_BIND | MS_REC, NULL) < 0)
      child_fail(125, "layerlab-agent: bind %s to %s: %s", src, c1, strerror(errno));
    close(target);
    if (ro) {
      int mounted = open_in_root(rootfd, c1, O_PATH);
      if (mounted >= 0) { mount(NULL, fd_path(mounted, buf, sizeof buf), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL); close(mounted); }
    }
  }
  for (int i = 0; i < s->tmpfsc && rootfd >= 0; i++) mount_tmpfs(rootfd, s->tmpfs[i]);
  if (s->proc && root) {
    char buf[64];
    int at = mkdir_in_root(rootfd, "/proc");
    if (at < 0 || mount("proc", fd_path(at, buf, sizeof buf), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
      child_fail(125, "layerlab-agent: mount /proc: %s", strerror(errno));
    close(at);
    make_dev(rootfd, s->shm);
    if (container) {
      /* like Docker's default spec: sysfs read-only at /sys (it shows this net namespace's
       * devices) and the container's cgroup read-only at /sys/fs/cgroup; a container that
       * cannot have them fails instead of running with an empty /sys */
      at = mkdir_in_root(rootfd, "/sys");
      if (at < 0 || mount("sysfs", fd_path(at, buf, sizeof buf), "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        child_fail(125, "layerlab-agent: mount sysfs on /sys: %s", strerror(errno));
      close(at);
      at = open_in_root(rootfd, "/sys/fs/cgroup", O_PATH | O_DIRECTORY);
      if (at < 0 || mount("cgroup2", fd_path(at, buf, sizeof buf), "cgroup2", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        child_fail(125, "layerlab-agent: mount cgroup2 on /sys/fs/cgroup: %s", strerror(errno));
      close(at);
    }
    if (s->mask) mask_paths(rootfd);
  }
  if (s->readonly && root) {
    if (mount(root, root, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
      child_fail(125, "layerlab-agent: read-only root: %s", strerror(errno));
  }
  if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
    child_fail(125, "layerlab-agent: sethostname: %s", strerror(errno));
  if (s->ns && strstr(s->ns, "net")) loopback_up();
  join_networks(a);
  if (root) {
    close(rootfd);
    /* pivot_root needs the root to be a mount point: a plain folder is bound onto itself first */
    struct stat r, parent;
    char up[4096];
    snprintf(up, sizeof up, "%s/..", root);
    if (stat(root, &r) == 0 && stat(up, &parent) == 0 && r.st_dev == parent.st_dev && mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
      child_fail(125, "layerlab-agent: bind %s onto itself: %s", root, strerror(errno));
    if (container) pivot_into(root);
    else {
      if (chroot(root) < 0) child_fail(125, "layerlab-agent: chroot %s: %s", root, strerror(errno));
      chdir("/");
    }
  }
  finish_and_exec(s);
  return 127;
}

/* ---------- the agent side ---------- */

static struct session *find_session(uint32_t id) {
  for (int i = 0; i < MAX_SESSIONS; i++) if (sessions[i].used && sessions[i].id == id) return &sessions[i];
  return NULL;
}

static void failed(uint32_t sid, const char *fmt, ...) {
  char msg[512];
  va_list ap; va_start(ap, fmt); vsnprintf(msg, sizeof msg, fmt, ap); va_end(ap);
  send_frame(T_FAILED, sid, msg, (uint32_t)strlen(msg));
}

static int parse_spec(unsigned char *data, uint32_t len, struct spec *s, char **err) {
  memset(s, 0, sizeof *s);
  s->uid = s->gid = -1;
  uint32_t i = 0;
  while (i < len) {
    char *key = (char *)data + i;
    void *z = memchr(data + i, 0, len - i);
    if (!z) { *err = "spec: key not terminated"; return -1; }
    i = (uint32_t)((unsigned char *)z - data) + 1;
    if (i >= len) { *err = "spec: missing value"; return -1; }
    char *val = (char *)data + i;
    z = memchr(data + i, 0, len - i);
    if (!z) { *err = "spec: value not terminated"; return -1; }
    i = (uint32_t)((unsigned char *)z - data) + 1;
    if (!strcmp(key, "arg")) { if (s->argc >= MAX_LIST) { *err = "spec: too many args"; return -1; } s->argv[s->argc++] = val; }
    else if (!strcmp(key, "env")) { if (s->envc >= MAX_LIST) { *err = "spec: too many env"; return -1; } s->envp[s->envc++] = val; }
    else if (!strcmp(key, "lower")) { if (s->lowerc >= MAX_LIST) { *err = "spec: too many lower dirs"; return -1; } s->lower[s->lowerc++] = val; }
    else if (!strcmp(key, "tmpfs")) { if (s->tmpfsc >= MAX_LIST) { *err = "spec: too many tmpfs"; return -1; } s->tmpfs[s->tmpfsc++] = val; }
    else if (!strcmp(key, "rlimit")) { if (s->rlimitc >= MAX_LIST) { *err = "spec: too many rlimits"; return -1; } s->rlimit[s->rlimitc++] = val; }
    else if (!strcmp(key, "shm")) s->shm = val;
    else if (!strcmp(key, "bind")) { if (s->bindc >= MAX_LIST) { *err = "spec: too many binds"; return -1; } s->bind[s->bindc++] = val; }
    else if (!strcmp(key, "file")) { if (s->filec >= MAX_LIST) { *err = "spec: too many files"; return -1; } s->file[s->filec++] = val; }
    else if (!strcmp(key, "cwd")) s->cwd = val;
    else if (!strcmp(key, "root")) s->root = val;
    else if (!strcmp(key, "ns")) s->ns = val;
    else if (!strcmp(key, "hostname")) s->hostname = val;
    else if (!strcmp(key, "upper")) s->upper = val;
    else if (!strcmp(key, "work")) s->work = val;
    else if (!strcmp(key, "cgroup")) s->cgroup = val;
    else if (!strcmp(key, "memory.max")) s->memory_max = val;
    else if (!strcmp(key, "pids.max")) s->pids_max = val;
    else if (!strcmp(key, "pty")) s->pty = val;
    else if (!strcmp(key, "stderr")) s->stderr_mode = val;
    else if (!strcmp(key, "stdin")) s->stdin_mode = val;
    else if (!strcmp(key, "groups")) s->groups = val;
    else if (!strcmp(key, "uid")) s->uid = atoi(val);
    else if (!strcmp(key, "gid")) s->gid = atoi(val);
    else if (!strcmp(key, "join")) s->join = atoi(val);
    else if (!strcmp(key, "proc")) s->proc = !strcmp(val, "1");
    else if (!strcmp(key, "readonly")) s->readonly = !strcmp(val, "1");
    else if (!strcmp(key, "caps")) s->caps = val;
    else if (!strcmp(key, "nonewprivs")) s->nonewprivs = !strcmp(val, "1");
    else if (!strcmp(key, "mask")) s->mask = !strcmp(val, "1");
    else if (!strcmp(key, "dns")) s->dns = val;
    else if (!strcmp(key, "connect")) s->connect = val;
    else if (!strcmp(key, "bridge")) { if (s->bridgec >= MAX_NETS) { *err = "spec: too many bridges"; return -1; } s->bridge[s->bridgec++] = val; }
    else if (!strcmp(key, "net")) {
      if (s->netc >= MAX_NETS) { *err = "spec: too many networks"; return -1; }
      if (parse_net(val, &s->net[s->netc++]) < 0) { *err = "spec: bad net (BRIDGE,HOSTIF,IFNAME,ADDR/PREFIX,MAC[,GATEWAY])"; return -1; }
    }
    else { *err = "spec: unknown key"; return -1; }
  }
  if (s->argc == 0 && !s->connect) { *err = "spec: no command"; return -1; }
  if (s->cgroup && (strchr(s->cgroup, '/') || s->cgroup[0] == '.')) { *err = "spec: bad cgroup name"; return -1; }
  s->argv[s->argc] = NULL;
  if (s->envc == 0) s->envp[s->envc++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  s->envp[s->envc] = NULL;
  return 0;
}

static int ns_flags(const char *ns) {
  int f = 0;
  if (!ns) return 0;
  if (strstr(ns, "pid")) f |= CLONE_NEWPID;
  if (strstr(ns, "uts")) f |= CLONE_NEWUTS;
  if (strstr(ns, "mnt")) f |= CLONE_NEWNS;
  if (strstr(ns, "ipc")) f |= CLONE_NEWIPC;
  if (strstr(ns, "net")) f |= CLONE_NEWNET;
  return f;
}

/*
 * A `connect` session (a published port): a TCP connection from the machine to ADDR:PORT, relayed
 * like a process's stdio. STDIN frames go to the peer, STDIN_EOF half-closes, what the peer sends
 * comes as STDOUT, and EXIT 0 follows its end; FAILED with the error when it cannot connect.
 */
static void connect_session(uint32_t sid, struct session *ss, const char *target) {
  char host[64];
  const char *colon = strrchr(target, ':');
  struct sockaddr_in a = { .sin_family = AF_INET };
  if (!colon || (size_t)(colon - target) >= sizeof host) { failed(sid, "spec: bad connect %s", target); return; }
  memcpy(host, target, (size_t)(colon - target));
  host[colon - target] = 0;
  a.sin_port = htons((uint16_t)atoi(colon + 1));
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1 || !a.sin_port) { failed(sid, "spec: bad connect %s", target); return; }
  /* never block the agent: the connection completes (or fails) in the main loop */
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) { failed(sid, "socket: %s", strerror(errno)); return; }
  int r = connect(fd, (struct sockaddr *)&a, sizeof a);
  if (r < 0 && errno != EINPROGRESS) {
    int e = errno;
    close(fd);
    failed(sid, "dial tcp %s: connect: %s", target, strerror(e));
    return;
  }
  int out = dup(fd);
  if (out < 0) { close(fd); failed(sid, "dup: %s", strerror(errno)); return; }
  fcntl(out, F_SETFD, FD_CLOEXEC);
  memset(ss, 0, sizeof *ss);
  ss->used = 1; ss->id = sid; ss->pid = 0; ss->is_socket = 1;
  ss->credit = INITIAL_CREDIT;
  ss->in_fd = fd; ss->out_fd = out; ss->err_fd = -1;
  snprintf(ss->target, sizeof ss->target, "%s", target);
  ss->connecting = r < 0;
  if (!ss->connecting) { unsigned char b[4]; put_u32(b, 0); send_frame(T_STARTED, sid, b, 4); }
}

/* A `connect` session's connection is done connecting: STARTED, or FAILED and the session goes. */
static void connect_done(struct session *s) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(s->in_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err == EINPROGRESS) return;
  s->connecting = 0;
  if (!err) { unsigned char b[4]; put_u32(b, 0); send_frame(T_STARTED, s->id, b, 4); return; }
  failed(s->id, "dial tcp %s: connect: %s", s->target, strerror(err));
  close(s->in_fd); close(s->out_fd);
  memset(s, 0, sizeof *s);
}

static void do_spawn(uint32_t sid, unsigned char *data, uint32_t len) {
  if (find_session(sid)) { failed(sid, "session %u already exists", sid); return; }
  struct session *ss = NULL;
  for (int i = 0; i < MAX_SESSIONS; i++) if (!sessions[i].used) { ss = &sessions[i]; break; }
  if (!ss) { failed(sid, "too many sessions (%d)", MAX_SESSIONS); return; }
  struct spec spec; char *err = NULL;
  if (parse_spec(data, len, &spec, &err) < 0) { failed(sid, "%s", err); return; }
  if (spec.connect) { connect_session(sid, ss, spec.connect); return; }

  struct child_args a = { &spec, -1, -1, -1, -1, 24, 80, -1, -1, -1 };
  for (int i = 0; i < spec.bridgec; i++) {
    char why[160];
    if (ensure_bridge(spec.bridge[i], why, sizeof why) < 0) { failed(sid, "%s", why); return; }
  }
  if (spec.netc && spec.join <= 0 && !(spec.ns && strstr(spec.ns, "net"))) { failed(sid, "spec: net needs a new network namespace or join"); return; }
  int in_w = -1, out_r = -1, err_r = -1, master = -1;
  if (spec.pty) {
    unsigned r = 24, c = 80;
    sscanf(spec.pty, "%ux%u", &r, &c);
    a.rows = (unsigned short)r; a.cols = (unsigned short)c;
    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) { failed(sid, "pty: %s", strerror(errno)); if (master >= 0) close(master); return; }
    a.pty_slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (a.pty_slave < 0) { failed(sid, "pty slave: %s", strerror(errno)); close(master); return; }
  } else {
    int pin[2] = { -1, -1 }, pout[2], perr[2] = { -1, -1 };
    int want_stdin = !(spec.stdin_mode && !strcmp(spec.stdin_mode, "null"));
    int merge = spec.stderr_mode && !strcmp(spec.stderr_mode, "stdout");
    if ((want_stdin && pipe2(pin, O_CLOEXEC) < 0) || pipe2(pout, O_CLOEXEC) < 0 || (!merge && pipe2(perr, O_CLOEXEC) < 0)) {
      failed(sid, "pipe: %s", strerror(errno)); return;
    }
    a.in_r = pin[0]; in_w = pin[1]; a.out_w = pout[1]; out_r = pout[0]; a.err_w = perr[1]; err_r = perr[0];
  }

  memset(ss, 0, sizeof *ss);
  ss->cgroup_owned = 0;
  if (spec.cgroup) {
    snprintf(ss->cgroup, sizeof ss->cgroup, "%s", spec.cgroup);
    char path[256];
    snprintf(path, sizeof path, "/sys/fs/cgroup/%s", spec.cgroup);
    if (mkdir(path, 0755) == 0) ss->cgroup_owned = 1;
    else if (errno != EEXIST) { failed(sid, "cgroup %s: %s", spec.cgroup, strerror(errno)); goto fail_fds; }
    char file[300];
    if (spec.memory_max) {
      snprintf(file, sizeof file, "%s/memory.max", path);
      if (write_file(file, spec.memory_max) < 0) { failed(sid, "memory.max=%s: %s", spec.memory_max, strerror(errno)); goto fail_cg; }
      snprintf(file, sizeof file, "%s/memory.swap.max", path);
      write_file(file, "0");
    }
    if (spec.pids_max) {
      snprintf(file, sizeof file, "%s/pids.max", path);
      if (write_file(file, spec.pids_max) < 0) { failed(sid, "pids.max=%s: %s", spec.pids_max, strerror(errno)); goto fail_cg; }
    }
    ss->oom_before = read_oom_kills(spec.cgroup);
  }

  int net_pipe[2] = { -1, -1 };
  if (spec.netc) {
    if (pipe2(net_pipe, O_CLOEXEC) < 0) { failed(sid, "pipe: %s", strerror(errno)); goto fail_cg; }
    a.net_r = net_pipe[0]; a.net_w = net_pipe[1];
  }
  size_t stack_size = 256 * 1024;
  char *stack = malloc(stack_size);
  if (!stack) { failed(sid, "out of memory"); goto fail_cg; }
  int flags = (spec.join > 0 ? 0 : ns_flags(spec.ns)) | SIGCHLD;
  /* a new network namespace comes from the pool when it has one: the child enters it */
  if ((flags & CLONE_NEWNET) && (a.netns = netns_pool_take()) >= 0) flags &= ~CLONE_NEWNET;
  pid_t pid = clone(child_main, stack + stack_size, flags, &a);
  int clone_errno = errno;
  free(stack);
  if (pid < 0) {
    if (a.netns >= 0) close(a.netns);
    failed(sid, "clone: %s", strerror(clone_errno));
    if (spec.netc) { close(net_pipe[0]); close(net_pipe[1]); }
    goto fail_cg;
  }
  if (spec.netc) {
    /* the veth pairs, their far ends in the child's namespace (or the one it joins); the child
     * waits for this byte: 0, or the errno that stopped them */
    int r = 0;
    for (int i = 0; i < spec.netc && r == 0; i++) r = make_veth(&spec.net[i], spec.join > 0 ? spec.join : pid, a.netns);
    unsigned char status = (unsigned char)(r < 0 ? -r : 0);
    write(net_pipe[1], &status, 1);
    close(net_pipe[0]); close(net_pipe[1]);
  }

  if (a.in_r >= 0) close(a.in_r);
  if (a.out_w >= 0) close(a.out_w);
  if (a.err_w >= 0) close(a.err_w);
  if (a.pty_slave >= 0) close(a.pty_slave);
  ss->used = 1; ss->id = sid; ss->pid = pid;
  if (spec.dns && spec.join > 0) {
    /* docker network connect: the container's DNS socket answers for one more network (a
     * container that had none, from the default bridge, gets one, as libnetwork starts its
     * resolver when a container joins a user-defined network) */
    for (int i = 0; i < MAX_SESSIONS; i++) {
      struct session *c = &sessions[i];
      if (!c->used || c->pid != spec.join) continue;
      if (!c->has_dns) {
        int fd = dns_open(spec.join, -1);
        if (fd >= 0) { c->has_dns = 1; c->dns_fd = fd; snprintf(c->dns_bridges, sizeof c->dns_bridges, "%s", spec.dns); }
      } else if (strlen(c->dns_bridges) + strlen(spec.dns) + 2 < sizeof c->dns_bridges) {
        strcat(c->dns_bridges, ",");
        strcat(c->dns_bridges, spec.dns);
      }
    }
  } else if (spec.dns) {
    int fd = dns_open(pid, a.netns);
    if (fd >= 0) { ss->has_dns = 1; ss->dns_fd = fd; snprintf(ss->dns_bridges, sizeof ss->dns_bridges, "%s", spec.dns); }
  }
  /* the child holds the pooled namespace now (its veth pairs and DNS socket are in it) */
  if (a.netns >= 0) close(a.netns);
  ss->credit = INITIAL_CREDIT;
  if (master >= 0) { ss->is_pty = 1; ss->out_fd = master; ss->in_fd = master; ss->err_fd = -1; set_nonblock(master); }
  else { ss->out_fd = out_r; ss->err_fd = err_r; ss->in_fd = in_w; set_nonblock(out_r); if (err_r >= 0) set_nonblock(err_r); if (in_w >= 0) set_nonblock(in_w); }
  unsigned char b[4]; put_u32(b, (uint32_t)pid);
  send_frame(T_STARTED, sid, b, 4);
  return;

fail_cg:
  if (ss->cgroup_owned) { char path[256]; snprintf(path, sizeof path, "/sys/fs/cgroup/%s", spec.cgroup); rmdir(path); }
fail_fds:
  if (master >= 0) close(master);
  if (a.pty_slave >= 0) close(a.pty_slave);
  int fds[] = { a.in_r, in_w, a.out_w, out_r, a.err_w, err_r };
  for (size_t i = 0; i < 6; i++) if (fds[i] >= 0) close(fds[i]);
}

static void close_in(struct session *s) {
  /* a connection's end of input is a half-close: the peer reads EOF and can still answer */
  if (s->in_fd >= 0 && s->is_socket) shutdown(s->in_fd, SHUT_WR);
  if (s->in_fd >= 0 && !s->is_pty) close(s->in_fd);
  s->in_fd = -1;
}

static void flush_stdin(struct session *s) {
  if (s->in_fd < 0 || s->inlen == 0) return;
  ssize_t n = write(s->in_fd, s->inbuf, s->inlen);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    /* the process closed its stdin: drop what is queued, but acknowledge it so the host goes on */
    unsigned char b[4]; put_u32(b, (uint32_t)s->inlen);
    send_frame(T_STDIN_ACK, s->id, b, 4);
    s->inlen = 0;
    close_in(s);
    return;
  }
  memmove(s->inbuf, s->inbuf + n, s->inlen - (size_t)n);
  s->inlen -= (size_t)n;
  unsigned char b[4]; put_u32(b, (uint32_t)n);
  send_frame(T_STDIN_ACK, s->id, b, 4);
  if (s->inlen == 0 && s->in_eof) close_in(s);
}

static void session_stdin(struct session *s, unsigned char *data, uint32_t len) {
  if (s->in_fd < 0) {
    unsigned char b[4]; put_u32(b, len);
    send_frame(T_STDIN_ACK, s->id, b, 4);
    return;
  }
  if (s->inlen + len > s->incap) { s->incap = (s->inlen + len) * 2; s->inbuf = xrealloc(s->inbuf, s->incap); }
  memcpy(s->inbuf + s->inlen, data, len);
  s->inlen += len;
  flush_stdin(s);
}

static void close_out(struct session *s, int which) {
  int *fd = which ? &s->err_fd : &s->out_fd;
  if (*fd < 0) return;
  if (s->is_pty) { close(*fd); s->in_fd = -1; }
  else close(*fd);
  *fd = -1;
}

/* Read what a session has to say, within its credit. Returns 1 if the fd reached EOF or is dry after exit. */
static void drain(struct session *s, int which) {
  static unsigned char buf[READ_CHUNK];
  int fd = which ? s->err_fd : s->out_fd;
  while (fd >= 0 && s->credit > 0) {
    size_t want = s->credit < READ_CHUNK ? s->credit : READ_CHUNK;
    ssize_t n = read(fd, buf, want);
    if (n > 0) {
      s->credit -= (uint32_t)n;
      send_frame(which ? T_STDERR : T_STDOUT, s->id, buf, (uint32_t)n);
      if (!s->exited) return;  /* one chunk per turn keeps sessions fair */
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN && !s->exited) return;
    /* EOF, EIO (pty closed), or dry after the process exited */
    close_out(s, which);
    /* a connection ends when the peer has said all (or reset it) */
    if (s->is_socket && !s->exited) { s->exited = 1; s->status = n < 0 && errno != EAGAIN ? 1 << 8 : 0; }
    return;
  }
}

static void maybe_finish(struct session *s) {
  if (!s->exited || s->out_fd >= 0 || s->err_fd >= 0) return;
  int st = s->status, code, sig = 0;
  if (WIFSIGNALED(st)) { sig = WTERMSIG(st); code = 128 + sig; }
  else code = WEXITSTATUS(st);
  unsigned char oom = 0;
  if (s->cgroup[0]) {
    oom = read_oom_kills(s->cgroup) > s->oom_before;
    if (s->cgroup_owned) {
      char path[256]; snprintf(path, sizeof path, "/sys/fs/cgroup/%s/cgroup.kill", s->cgroup);
      write_file(path, "1");  /* like Docker: when the container's process ends, everything in it ends */
      snprintf(path, sizeof path, "/sys/fs/cgroup/%s", s->cgroup);
      if (rmdir(path) < 0 && errno == EBUSY) {
        for (int i = 0; i < MAX_SESSIONS; i++)
          if (!doomed_cgroups[i][0]) { snprintf(doomed_cgroups[i], sizeof doomed_cgroups[i], "%s", s->cgroup); break; }
      }
    }
  }
  unsigned char b[9];
  put_u32(b, (uint32_t)code); put_u32(b + 4, (uint32_t)sig); b[8] = oom;
  send_frame(T_EXIT, s->id, b, 9);
  if (s->has_dns) close(s->dns_fd);
  close_in(s);
  free(s->inbuf);
  memset(s, 0, sizeof *s);
}

/* Removes emptied cgroups; returns how many are still waiting. */
static int remove_doomed_cgroups(void) {
  int left = 0;
  for (int i = 0; i < MAX_SESSIONS; i++) {
    if (!doomed_cgroups[i][0]) continue;
    char path[256]; snprintf(path, sizeof path, "/sys/fs/cgroup/%.159s", doomed_cgroups[i]);
    if (rmdir(path) == 0 || errno != EBUSY) doomed_cgroups[i][0] = 0;
    else left++;
  }
  return left;
}

static void reap(void) {
  int st;
  pid_t pid;
  while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
    for (int i = 0; i < MAX_SESSIONS; i++) {
      struct session *s = &sessions[i];
      if (s->used && s->pid == pid && !s->exited) {
        s->exited = 1; s->status = st;
        drain(s, 0); drain(s, 1);
        break;
      }
    }
  }
}

static void handle_frame(uint8_t type, uint32_t sid, unsigned char *p, uint32_t len) {
  struct session *s = sid ? find_session(sid) : NULL;
  switch (type) {
  case T_SPAWN: do_spawn(sid, p, len); break;
  case T_STDIN: if (s) session_stdin(s, p, len); else { unsigned char b[4]; put_u32(b, len); send_frame(T_STDIN_ACK, sid, b, 4); } break;
  case T_STDIN_EOF: if (s) { s->in_eof = 1; if (s->inlen == 0 && !s->is_pty) close_in(s); } break;
  case T_SIGNAL:
    if (s && s->is_socket) { if (s->out_fd >= 0) shutdown(s->out_fd, SHUT_RDWR); }
    else if (s && len >= 4 && !s->exited) {
      int sig = (int)get_u32(p);
      if (kill(-s->pid, sig) < 0) kill(s->pid, sig);
    }
    break;
  case T_RESIZE:
    if (s && s->is_pty && s->out_fd >= 0 && len >= 4) {
      struct winsize ws = { (unsigned short)(p[0] | p[1] << 8), (unsigned short)(p[2] | p[3] << 8), 0, 0 };
      ioctl(s->out_fd, TIOCSWINSZ, &ws);
    }
    break;
  case T_CREDIT: if (s && len >= 4) { uint32_t c = get_u32(p); s->credit = s->credit + c < s->credit ? UINT32_MAX : s->credit + c; } break;
  case T_PING: send_frame(T_PONG, sid, p, len); break;
  case T_SETTIME:
    if (len >= 8) {
      uint64_t ms = (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
      struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
      settimeofday(&tv, NULL);
    }
    break;
  case T_ENTROPY: { int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC); if (fd >= 0) { write(fd, p, len); close(fd); } } break;
  default: break;
  }
}

static void read_rx(void) {
  for (;;) {
    if (rxcap - rxlen < 65536) { rxcap = rxcap ? rxcap * 2 : 131072; rxbuf = xrealloc(rxbuf, rxcap); }
    ssize_t n = read(rx_fd, rxbuf + rxlen, rxcap - rxlen);
    if (n < 0) { if (errno == EINTR) continue; if (errno == EAGAIN) break; die("read ttyS1"); }
    if (n == 0) break;
    rxlen += (size_t)n;
  }
  size_t off = 0;
  while (rxlen - off >= HEADER) {
    uint8_t type = rxbuf[off];
    uint32_t sid = get_u32(rxbuf + off + 1), len = get_u32(rxbuf + off + 5);
    if (len > MAX_PAYLOAD) {
      /* the stream is out of step: drop everything and tell the host */
      failed(0, "protocol: frame of %u bytes; input discarded", len);
      rxlen = 0; off = 0;
      return;
    }
    if (rxlen - off < HEADER + len) break;
    handle_frame(type, sid, rxbuf + off + HEADER, len);
    off += HEADER + len;
  }
  memmove(rxbuf, rxbuf + off, rxlen - off);
  rxlen -= off;
}

/* ---------- applets: `layerlab-agent CMD ...` run as an ordinary command (not PID 1) ---------- */

static size_t applet_root_len;

static int print_opaque(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st; (void)ftw;
  if (type != FTW_D) return 0;
  char v[8];
  ssize_t n = lgetxattr(path, "trusted.overlay.opaque", v, sizeof v);
  if (n == 1 && v[0] == 'y') {
    const char *rel = path + applet_root_len;
    while (*rel == '/') rel++;
    fputs(*rel ? rel : ".", stdout);
    fputc('\0', stdout);
  }
  return 0;
}

static char **wh_paths; static size_t wh_count, wh_cap;

static int collect_whiteout(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st; (void)type;
  if (strncmp(path + ftw->base, ".wh.", 4) != 0) return 0;
  if (wh_count == wh_cap) { wh_cap = wh_cap ? wh_cap * 2 : 64; wh_paths = xrealloc(wh_paths, wh_cap * sizeof *wh_paths); }
  wh_paths[wh_count++] = strdup(path);
  return 0;
}

/* Turns an extracted OCI layer into an overlay layer dir: `.wh.NAME` -> NAME as a 0/0 char
 * device, `.wh..wh..opq` -> the opaque xattr on its directory. */
static int oci_to_overlay(const char *dir) {
  if (nftw(dir, collect_whiteout, 32, FTW_PHYS) < 0) { perror(dir); return 1; }
  for (size_t i = 0; i < wh_count; i++) {
    char *p = wh_paths[i];
    char *slash = strrchr(p, '/');
    const char *name = slash ? slash + 1 : p;
    if (unlink(p) < 0) { perror(p); return 1; }
    if (!strcmp(name, ".wh..wh..opq")) {
      if (slash) *slash = 0;
      if (lsetxattr(slash ? p : ".", "trusted.overlay.opaque", "y", 1, 0) < 0) { perror(p); return 1; }
    } else {
      char target[4096];
      snprintf(target, sizeof target, "%.*s%s", slash ? (int)(slash - p + 1) : 0, p, name + 4);
      if (mknod(target, S_IFCHR | 0, makedev(0, 0)) < 0) { perror(target); return 1; }
    }
  }
  return 0;
}

static int applet(int argc, char **argv) {
  const char *cmd = argv[1];
  if (!strcmp(cmd, "opaque-dirs") && argc == 3) {
    /* NUL-separated paths (relative to DIR) of directories an overlay marked opaque */
    applet_root_len = strlen(argv[2]);
    if (nftw(argv[2], print_opaque, 32, FTW_PHYS) < 0) { perror(argv[2]); return 1; }
    return fflush(stdout) == 0 ? 0 : 1;
  }
  if (!strcmp(cmd, "set-opaque") && argc >= 3) {
    for (int i = 2; i < argc; i++)
      if (lsetxattr(argv[i], "trusted.overlay.opaque", "y", 1, 0) < 0) { perror(argv[i]); return 1; }
    return 0;
  }
  if (!strcmp(cmd, "whiteout") && argc >= 3) {
    for (int i = 2; i < argc; i++)
      if (mknod(argv[i], S_IFCHR | 0, makedev(0, 0)) < 0) { perror(argv[i]); return 1; }
    return 0;
  }
  if (!strcmp(cmd, "oci-to-overlay") && argc == 3) return oci_to_overlay(argv[2]);
  fprintf(stderr, "usage: layerlab-agent opaque-dirs DIR | set-opaque PATH... | whiteout PATH... | oci-to-overlay DIR\n");
  return 2;
}

int main(int argc, char **argv) {
  /* bound at /sbin/docker-init in a container for `docker run --init`: its PID 1 */
  const char *self = strrchr(argv[0], '/');
  if (!strcmp(self ? self + 1 : argv[0], "docker-init")) return init_main(argc, argv);
  if (getpid() != 1) {
    if (argc > 1) return applet(argc, argv);
    fprintf(stderr, "layerlab-agent: the agent runs as PID 1 of the guest; as a command it takes an applet\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  sigset_t mask; sigemptyset(&mask); sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) die("signalfd");

  rx_fd = open("/dev/ttyS1", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (rx_fd < 0) die("open /dev/ttyS1");
  set_raw(rx_fd);
  tx_fd = open("/dev/hvc0", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tx_fd < 0) die("open /dev/hvc0");
  set_raw(tx_fd);

  send_frame(T_READY, 0, AGENT_VERSION, (uint32_t)strlen(AGENT_VERSION));
  flush_tx();

  struct pollfd pfds[2 + MAX_SESSIONS * 4];
  struct { struct session *s; int what; } map[2 + MAX_SESSIONS * 4];
  for (;;) {
    int n = 0;
    pfds[n] = (struct pollfd){ rx_fd, POLLIN, 0 }; map[n].s = NULL; map[n++].what = -1;
    pfds[n] = (struct pollfd){ sfd, POLLIN, 0 }; map[n].s = NULL; map[n++].what = -2;
    for (int i = 0; i < MAX_SESSIONS; i++) {
      struct session *s = &sessions[i];
      if (!s->used) continue;
      if (s->connecting) { pfds[n] = (struct pollfd){ s->in_fd, POLLOUT, 0 }; map[n].s = s; map[n++].what = 4; continue; }
      if (s->out_fd >= 0 && s->credit > 0) { pfds[n] = (struct pollfd){ s->out_fd, POLLIN, 0 }; map[n].s = s; map[n++].what = 0; }
      if (s->err_fd >= 0 && s->credit > 0) { pfds[n] = (struct pollfd){ s->err_fd, POLLIN, 0 }; map[n].s = s; map[n++].what = 1; }
      if (s->in_fd >= 0 && s->inlen > 0) { pfds[n] = (struct pollfd){ s->in_fd, POLLOUT, 0 }; map[n].s = s; map[n++].what = 2; }
      if (s->has_dns) { pfds[n] = (struct pollfd){ s->dns_fd, POLLIN, 0 }; map[n].s = s; map[n++].what = 3; }
    }
    /* with nothing else to do for a moment, the agent makes network namespaces ahead (see network.c) */
    int r = poll(pfds, (nfds_t)n, remove_doomed_cgroups() ? 20 : netns_pooled < NETNS_POOL ? 30 : -1);
    if (r == 0 && netns_pooled < NETNS_POOL) netns_pool_fill();
    if (r < 0) { if (errno == EINTR) continue; die("poll"); }
    for (int i = 0; i < n; i++) {
      if (!pfds[i].revents) continue;
      if (map[i].what == -1) read_rx();
      else if (map[i].what == -2) {
        struct signalfd_siginfo si;
        while (read(sfd, &si, sizeof si) > 0) {}
        reap();
      } else {
        struct session *s = map[i].s;
        if (!s->used) continue;
        if (map[i].what == 2) flush_stdin(s);
        else if (map[i].what == 3) dns_serve(s->dns_fd, s->dns_bridges);
        else if (map[i].what == 4) connect_done(s);
        else drain(s, map[i].what);
      }
    }
    for (int i = 0; i < MAX_SESSIONS; i++) {
      struct session *s = &sessions[i];
      if (!s->used || !s->exited) continue;
      drain(s, 0); drain(s, 1);
      maybe_finish(s);
    }
    flush_tx();
  }
}
