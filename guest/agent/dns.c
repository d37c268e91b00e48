/* The embedded DNS server (included by agent.c), as Docker's at 127.0.0.11 on user-defined
 * networks: spawn's `dns=BRIDGE[,BRIDGE…]` gives the container a UDP socket bound to
 * 127.0.0.11:53 inside its network namespace, owned and served by the agent. A query for a name
 * is answered from the names the host wrote for those networks (/run/layerlab/dns/BRIDGE: lines
 * of `ADDRESS NAME…`, the running containers' names, short IDs and aliases); any other name gets
 * NXDOMAIN at once: the machine has no way out, so there is no outside server to ask. */

#define DNS_DIR "/run/layerlab/dns/"
#define DNS_TTL 600
#define DNS_MAX_ANSWERS 8

/* A UDP socket bound to 127.0.0.11:53 in the network namespace nsfd (or pid's when nsfd is -1),
 * or -errno. The agent is single-threaded: it steps into the namespace and back. */
static int dns_open(pid_t pid, int nsfd) {
  static int own_ns = -1;
  if (own_ns < 0) own_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", pid);
  /* the namespace the child is entering (pooled: it may not be in it yet), or the one it is in */
  int target = nsfd >= 0 ? dup(nsfd) : open(path, O_RDONLY | O_CLOEXEC);
  if (target < 0 || own_ns < 0) { int e = errno; if (target >= 0) close(target); return -e; }
  if (setns(target, CLONE_NEWNET) < 0) { int e = errno; close(target); return -e; }
  close(target);
  /* loopback up first: in a namespace without addresses 127.0.0.11 is no local address yet, and
   * a socket bound to it would answer from 127.0.0.1, which the asking socket ignores */
  link_up("lo");
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int e = fd < 0 ? errno : 0;
  if (fd >= 0) {
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(53) };
    inet_pton(AF_INET, "127.0.0.11", &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { e = errno; close(fd); fd = -1; }
  }
  if (setns(own_ns, CLONE_NEWNET) < 0) die("setns back to the machine's network");
  return fd < 0 ? -e : fd;
}

/* Addresses of `name` on these bridges (comma-separated); returns how many were found. */
static int dns_lookup(const char *bridges, const char *name, struct in_addr *out, int max) {
  int found = 0;
  const char *p = bridges;
  while (*p && found < max) {
    char bridge[IFNAMSIZ], path[64], line[1024];
    if (next_field(&p, bridge, sizeof bridge) < 0) break;
    snprintf(path, sizeof path, DNS_DIR "%s", bridge);
    FILE *f = fopen(path, "re");
    if (!f) continue;
    while (found < max && fgets(line, sizeof line, f)) {
      char *save = NULL, *ip = strtok_r(line, " \t\n", &save);
      if (!ip) continue;
      for (char *n = strtok_r(NULL, " \t\n", &save); n; n = strtok_r(NULL, " \t\n", &save)) {
        if (strcasecmp(n, name)) continue;
        struct in_addr a;
        if (inet_pton(AF_INET, ip, &a) == 1) {
          int dup = 0;
          for (int i = 0; i < found; i++) dup |= out[i].s_addr == a.s_addr;
          if (!dup) out[found++] = a;
        }
        break;
      }
    }
    fclose(f);
  }
  return found;
}

/* Answers one query waiting on a container's DNS socket. */
static void dns_serve(int fd, const char *bridges) {
  unsigned char q[512], r[512];
  struct sockaddr_in from;
  socklen_t fromlen = sizeof from;
  ssize_t n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fromlen);
  if (n < 12) return;
  unsigned qdcount = (unsigned)(q[4] << 8 | q[5]);
  /* the question: labels into a dotted name */
  char name[256];
  size_t at = 12, len = 0;
  int bad = qdcount != 1 || (q[2] & 0x78) != 0; /* one standard query only */
  while (!bad && at < (size_t)n && q[at]) {
    unsigned l = q[at];
    if (l > 63 || at + 1 + l >= (size_t)n || len + l + 1 >= sizeof name) { bad = 1; break; }
    if (len) name[len++] = '.';
    memcpy(name + len, q + at + 1, l);
    len += l;
    at += 1 + l;
  }
  name[len] = 0;
  size_t qend = at + 5; /* the zero label, type, class */
  if (!bad && qend > (size_t)n) bad = 1;
  unsigned qtype = bad ? 0 : (unsigned)(q[at + 1] << 8 | q[at + 2]);
  memset(r, 0, sizeof r);
  r[0] = q[0]; r[1] = q[1];
  r[2] = 0x80 | (q[2] & 0x79); /* QR, the opcode and RD as asked */
  r[3] = 0x80;                 /* RA */
  if (bad) {
    r[3] |= 1; /* FORMERR */
    sendto(fd, r, 12, 0, (struct sockaddr *)&from, fromlen);
    return;
  }
  memcpy(r + 4, q + 4, 2); /* QDCOUNT 1 */
  memcpy(r + 12, q + 12, qend - 12);
  size_t out = qend;
  struct in_addr found[DNS_MAX_ANSWERS];
  int count = dns_lookup(bridges, name, found, DNS_MAX_ANSWERS);
  if (count == 0) r[3] |= 3; /* NXDOMAIN: a name of no container here, and no outside server */
  else if (qtype == 1 || qtype == 255) {
    for (int i = 0; i < count; i++) {
      unsigned char a[16] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, DNS_TTL >> 8, DNS_TTL & 0xff, 0, 4 };
      memcpy(a + 12, &found[i], 4);
      memcpy(r + out, a, 16);
      out += 16;
    }
    r[7] = (unsigned char)count;
  }
  /* a container's name asked for another type (AAAA): NOERROR with no answers */
  sendto(fd, r, out, 0, (struct sockaddr *)&from, fromlen);
}
