/*
 * LayerLab agent: the walls of a container, as runc's default spec builds them.
 *
 *   - paths the agent creates or mounts inside a container's root are resolved inside that root
 *     (openat2 RESOLVE_IN_ROOT): an image whose /etc is a symlink to / cannot make the agent write
 *     or mount outside it;
 *   - runc's masked paths (/proc/kcore, /proc/keys, …: /dev/null or an empty read-only tmpfs over
 *     them) and read-only paths (/proc/sys, /proc/sysrq-trigger, …);
 *   - pivot_root into the root, the old root unmounted (chroot leaves it reachable with `..`);
 *   - the capability bounding set cut to the container's set (Docker's default: 14 capabilities,
 *     00000000a80425fb), and no_new_privs when asked.
 *
 * Included by agent.c (one translation unit: the agent is built with one gcc line).
 */
#include <linux/openat2.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_pivot_root
#define SYS_pivot_root 217
#endif

/* Opens `path` (absolute or relative, as seen inside the root) below `rootfd`, never leaving it. */
static int open_in_root(int rootfd, const char *path, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (unsigned long long)(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
    if (fd >= 0 || errno != EINTR) return (int)fd;
  }
}

/*
 * Makes the directories of `path` inside the root (mode 0755), each component resolved inside it,
 * and returns an O_PATH fd of the last one; -1 with errno on failure.
 */
static int mkdir_in_root(int rootfd, const char *path) {
  char tmp[4096];
  if (strlen(path) >= sizeof tmp) { errno = ENAMETOOLONG; return -1; }
  snprintf(tmp, sizeof tmp, "%s", path);
  int dir = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
  if (dir < 0) return -1;
  char *save = NULL;
  for (char *part = strtok_r(tmp, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
    if (!strcmp(part, ".")) continue;
    /* resolved from the root each time: a component that is a symlink stays inside it */
    int next = open_in_root(dir, part, O_PATH | O_DIRECTORY);
    if (next < 0 && errno == ENOENT) {
      if (mkdirat(dir, part, 0755) < 0 && errno != EEXIST) { int e = errno; close(dir); errno = e; return -1; }
      next = open_in_root(dir, part, O_PATH | O_DIRECTORY);
    }
    if (next < 0) { int e = errno; close(dir); errno = e; return -1; }
    close(dir);
    dir = next;
  }
  return dir;
}

/* The path by which mount(2) reaches what `fd` refers to. */
static const char *fd_path(int fd, char *buf, size_t size) {
  snprintf(buf, size, "/proc/self/fd/%d", fd);
  return buf;
}

/*
 * Returns an O_PATH fd of the mount point for `target` inside the root, creating it (a directory,
 * or an empty file when `is_dir` is 0) when missing; -1 with errno on failure.
 */
static int mountpoint_in_root(int rootfd, const char *target, int is_dir) {
  int fd = open_in_root(rootfd, target, O_PATH);
  if (fd >= 0 || errno != ENOENT) return fd;
  if (is_dir) return mkdir_in_root(rootfd, target);
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", target);
  char *slash = strrchr(parent, '/');
  const char *name = target;
  int dir;
  if (slash) {
    *slash = 0;
    name = slash + 1;
    dir = mkdir_in_root(rootfd, parent[0] ? parent : "/");
  } else {
    dir = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
  }
  if (dir < 0) return -1;
  /* openat on an O_PATH dir fd with a plain name (no slashes) cannot leave it */
  int f = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (f >= 0) close(f);
  fd = open_in_root(dir, name, O_PATH);
  int e = errno;
  close(dir);
  errno = e;
  return fd;
}

/* runc's default masked paths: hidden from the container (each only when the kernel has it). */
static const char *const masked_paths[] = {
  "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
};
/* runc's default read-only paths. */
static const char *const readonly_paths[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };

/* Masks and write-protects runc's paths below the root (whose /proc and /sys are mounted). */
static void mask_paths(int rootfd) {
  char buf[64];
  for (size_t i = 0; i < sizeof masked_paths / sizeof masked_paths[0]; i++) {
    int fd = open_in_root(rootfd, masked_paths[i], O_PATH);
    if (fd < 0) continue;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      if (mount("tmpfs", fd_path(fd, buf, sizeof buf), "tmpfs", MS_RDONLY, "size=0") < 0)
        child_fail(125, "layerlab-agent: mask %s: %s", masked_paths[i], strerror(errno));
    } else if (mount("/dev/null", fd_path(fd, buf, sizeof buf), NULL, MS_BIND, NULL) < 0) {
      child_fail(125, "layerlab-agent: mask %s: %s", masked_paths[i], strerror(errno));
    }
    close(fd);
  }
  for (size_t i = 0; i < sizeof readonly_paths / sizeof readonly_paths[0]; i++) {
    int fd = open_in_root(rootfd, readonly_paths[i], O_PATH);
    if (fd < 0) continue;
    const char *p = fd_path(fd, buf, sizeof buf);
    if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
      child_fail(125, "layerlab-agent: read-only %s: %s", readonly_paths[i], strerror(errno));
    close(fd);
    /* the fd still names what lies under the new mount: open it again to reach the mount itself */
    fd = open_in_root(rootfd, readonly_paths[i], O_PATH);
    if (fd < 0 || mount(NULL, fd_path(fd, buf, sizeof buf), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
      child_fail(125, "layerlab-agent: read-only %s: %s", readonly_paths[i], strerror(errno));
    close(fd);
  }
}

/* Makes `root` the process's root with pivot_root and detaches the old root (runc's way). */
static void pivot_into(const char *root) {
  if (chdir(root) < 0) child_fail(125, "layerlab-agent: chdir %s: %s", root, strerror(errno));
  if (syscall(SYS_pivot_root, ".", ".") < 0) child_fail(125, "layerlab-agent: pivot_root %s: %s", root, strerror(errno));
  /* the old root now lies under the new one at "/": detach it, so no path leads back */
  if (umount2(".", MNT_DETACH) < 0) child_fail(125, "layerlab-agent: unmount the old root: %s", strerror(errno));
  if (chdir("/") < 0) child_fail(125, "layerlab-agent: chdir /: %s", strerror(errno));
}

/*
 * Cuts the capability bounding set to `caps_hex` (a 64-bit mask, as /proc/PID/status prints it)
 * while still root: after exec a root process has exactly those capabilities, another user none.
 * Also clears the ambient set, and sets no_new_privs when asked.
 */
static void limit_privileges(const char *caps_hex, int no_new_privs) {
  if (caps_hex && *caps_hex) {
    unsigned long long keep = strtoull(caps_hex, NULL, 16);
    for (int cap = 0; cap < 64; cap++) {
      if (keep & (1ULL << cap)) continue;
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
        child_fail(125, "layerlab-agent: drop capability %d: %s", cap, strerror(errno));
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  }
  if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    child_fail(125, "layerlab-agent: no_new_privs: %s", strerror(errno));
}
