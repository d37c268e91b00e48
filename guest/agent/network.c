/* Container networks (included by agent.c): a Docker bridge network is a Linux bridge in the
 * machine's namespace, with its gateway address on the bridge; a container joins it through a
 * veth pair whose host end is a port of the bridge and whose other end is the container's eth0
 * (eth1, …) in its own network namespace. No netfilter: nothing is NATed or filtered, and
 * published ports are relayed by the agent to the container's own address.
 *
 * Spawn keys (see PROTOCOL.md):
 *   bridge=NAME,ADDR/PREFIX        make the bridge when missing (address, up); before the clone
 *   net=BRIDGE,HOSTIF,IFNAME,ADDR/PREFIX,MAC[,GATEWAY]
 *                                  a veth pair: HOSTIF on BRIDGE, IFNAME in the new process's
 *                                  network namespace (or the joined process's) with ADDR and MAC,
 *                                  and a default route via GATEWAY when given
 * The agent makes the pair after the clone (it needs the new namespace); the child waits for it
 * on a pipe, then sets its addresses and routes itself, inside its namespace, before exec. */
#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>
#include <net/route.h>

#define MAX_NETS 8

static int write_file(const char *path, const char *text);
static void die(const char *what);

struct net_attach {
  char bridge[IFNAMSIZ], host[IFNAMSIZ], ifname[IFNAMSIZ];
  struct in_addr addr, gateway;
  int prefix, has_gateway;
  unsigned char mac[6];
};

/* Copies one comma-separated field of *p into out (at most n-1 chars); advances *p. */
static int next_field(const char **p, char *out, size_t n) {
  const char *end = strchr(*p, ',');
  size_t len = end ? (size_t)(end - *p) : strlen(*p);
  if (len >= n) return -1;
  memcpy(out, *p, len);
  out[len] = 0;
  *p = end ? end + 1 : *p + len;
  return 0;
}

static int parse_cidr(const char *s, struct in_addr *addr, int *prefix) {
  char ip[32];
  const char *slash = strchr(s, '/');
  if (!slash || (size_t)(slash - s) >= sizeof ip) return -1;
  memcpy(ip, s, (size_t)(slash - s));
  ip[slash - s] = 0;
  *prefix = atoi(slash + 1);
  if (*prefix < 1 || *prefix > 30) return -1;
  return inet_pton(AF_INET, ip, addr) == 1 ? 0 : -1;
}

static int parse_net(const char *v, struct net_attach *n) {
  char cidr[40], mac[20], gw[20];
  const char *p = v;
  memset(n, 0, sizeof *n);
  if (next_field(&p, n->bridge, sizeof n->bridge) < 0 || next_field(&p, n->host, sizeof n->host) < 0 ||
      next_field(&p, n->ifname, sizeof n->ifname) < 0 || next_field(&p, cidr, sizeof cidr) < 0 ||
      next_field(&p, mac, sizeof mac) < 0 || next_field(&p, gw, sizeof gw) < 0)
    return -1;
  if (!n->bridge[0] || !n->host[0] || !n->ifname[0] || parse_cidr(cidr, &n->addr, &n->prefix) < 0) return -1;
  unsigned m[6];
  if (sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) return -1;
  for (int i = 0; i < 6; i++) n->mac[i] = (unsigned char)m[i];
  if (gw[0]) {
    if (inet_pton(AF_INET, gw, &n->gateway) != 1) return -1;
    n->has_gateway = 1;
  }
  return 0;
}

static int if_ioctl(unsigned long req, struct ifreq *ifr) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int r = ioctl(fd, req, ifr) < 0 ? -errno : 0;
  close(fd);
  return r;
}

static int link_up(const char *name) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  int r = if_ioctl(SIOCGIFFLAGS, &ifr);
  if (r < 0) return r;
  ifr.ifr_flags |= IFF_UP;
  return if_ioctl(SIOCSIFFLAGS, &ifr);
}

static int set_ipv4(const char *name, struct in_addr addr, int prefix) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
  struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
  sin->sin_family = AF_INET;
  sin->sin_addr = addr;
  int r = if_ioctl(SIOCSIFADDR, &ifr);
  if (r < 0) return r;
  sin->sin_addr.s_addr = htonl(prefix ? 0xffffffffu << (32 - prefix) : 0);
  return if_ioctl(SIOCSIFNETMASK, &ifr);
}

static int isolate_bridge(const char *name);

/* bridge=NAME,ADDR/PREFIX: the bridge and its gateway address, made once per machine. */
static int ensure_bridge(const char *v, char *err, size_t errlen) {
  char name[IFNAMSIZ], cidr[40];
  const char *p = v;
  struct in_addr addr;
  int prefix;
  if (next_field(&p, name, sizeof name) < 0 || next_field(&p, cidr, sizeof cidr) < 0 || parse_cidr(cidr, &addr, &prefix) < 0) {
    snprintf(err, errlen, "spec: bad bridge %s", v);
    return -1;
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) { snprintf(err, errlen, "socket: %s", strerror(errno)); return -1; }
  int made = ioctl(fd, SIOCBRADDBR, name) == 0;
  int e = errno;
  close(fd);
  if (!made && e != EEXIST) { snprintf(err, errlen, "bridge %s: %s", name, strerror(e)); return -1; }
  if (!made) return 0;
  int r = set_ipv4(name, addr, prefix);
  if (r == 0) r = link_up(name);
  if (r == 0) r = isolate_bridge(name);
  if (r < 0) { snprintf(err, errlen, "bridge %s: %s", name, strerror(-r)); return -1; }
  return 0;
}

static void nl_put(struct nlmsghdr *n, size_t cap, unsigned short type, const void *data, size_t len) {
  struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
  if (NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len) > cap) return;
  a->rta_type = type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static struct rtattr *nl_nest(struct nlmsghdr *n, size_t cap, unsigned short type) {
  struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
  nl_put(n, cap, type, NULL, 0);
  return a;
}

static void nl_end(struct nlmsghdr *n, struct rtattr *nest) {
  nest->rta_len = (unsigned short)((char *)n + n->nlmsg_len - (char *)nest);
}

/* Sends one rtnetlink request and reads its ack: 0 or -errno. */
static int nl_talk(struct nlmsghdr *n) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -errno;
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  int r = 0;
  if (sendto(fd, n, n->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0) r = -errno;
  else {
    char buf[1024];
    ssize_t got = recv(fd, buf, sizeof buf, 0);
    if (got < 0) r = -errno;
    else {
      struct nlmsghdr *h = (struct nlmsghdr *)buf;
      if (NLMSG_OK(h, (unsigned)got) && h->nlmsg_type == NLMSG_ERROR) r = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
    }
  }
  close(fd);
  return r;
}

/* The veth pair of one attachment: host end on the bridge and up, the other end in the network
 * namespace `nsfd` (an open /proc/…/ns/net), or pid's when nsfd is -1. */
static int make_veth(const struct net_attach *n, pid_t pid, int nsfd) {
  unsigned master = if_nametoindex(n->bridge);
  if (!master) return -ENODEV;
  union { struct nlmsghdr h; char buf[512]; } req;
  memset(&req, 0, sizeof req);
  struct nlmsghdr *m = &req.h;
  m->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
  m->nlmsg_type = RTM_NEWLINK;
  m->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
  ((struct ifinfomsg *)NLMSG_DATA(m))->ifi_family = AF_UNSPEC;
  nl_put(m, sizeof req, IFLA_IFNAME, n->host, strlen(n->host) + 1);
  nl_put(m, sizeof req, IFLA_MASTER, &master, sizeof master);
  struct rtattr *info = nl_nest(m, sizeof req, IFLA_LINKINFO);
  nl_put(m, sizeof req, IFLA_INFO_KIND, "veth", 4);
  struct rtattr *data = nl_nest(m, sizeof req, IFLA_INFO_DATA);
  struct rtattr *peer = nl_nest(m, sizeof req, VETH_INFO_PEER);
  struct ifinfomsg peer_info = { .ifi_family = AF_UNSPEC };
  memcpy((char *)m + m->nlmsg_len, &peer_info, sizeof peer_info);
  m->nlmsg_len += NLMSG_ALIGN(sizeof peer_info);
  nl_put(m, sizeof req, IFLA_IFNAME, n->ifname, strlen(n->ifname) + 1);
  nl_put(m, sizeof req, IFLA_ADDRESS, n->mac, 6);
  uint32_t ns_ref = nsfd >= 0 ? (uint32_t)nsfd : (uint32_t)pid;
  nl_put(m, sizeof req, nsfd >= 0 ? IFLA_NET_NS_FD : IFLA_NET_NS_PID, &ns_ref, sizeof ns_ref);
  nl_end(m, peer);
  nl_end(m, data);
  nl_end(m, info);
  int r = nl_talk(m);
  if (r < 0) return r;
  return link_up(n->host);
}

/* In the child, inside its network namespace: addresses, links up, the default route. */
static int configure_nets(const struct net_attach *nets, int count, char *err, size_t errlen) {
  for (int i = 0; i < count; i++) {
    const struct net_attach *n = &nets[i];
    int r = set_ipv4(n->ifname, n->addr, n->prefix);
    if (r == 0) r = link_up(n->ifname);
    if (r == 0 && n->has_gateway) {
      struct rtentry rt;
      memset(&rt, 0, sizeof rt);
      struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst, *gw = (struct sockaddr_in *)&rt.rt_gateway,
                         *mask = (struct sockaddr_in *)&rt.rt_genmask;
      dst->sin_family = gw->sin_family = mask->sin_family = AF_INET;
      gw->sin_addr = n->gateway;
      rt.rt_flags = RTF_UP | RTF_GATEWAY;
      int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      r = fd < 0 || (ioctl(fd, SIOCADDRT, &rt) < 0 && errno != EEXIST) ? -errno : 0;
      if (fd >= 0) close(fd);
    }
    if (r < 0) { snprintf(err, errlen, "%s: %s", n->ifname, strerror(-r)); return -1; }
  }
  return 0;
}

/* The routing table every bridge's traffic is looked up in: only `unreachable default`. */
#define BRIDGE_TABLE 100

/*
 * What a container sends that is neither for its own network (switched by the bridge) nor for
 * the machine itself (the local table, looked up first) meets an unreachable route, so the
 * sender gets "No route to host" at once: there is no way out of the machine, and a container
 * cannot reach another network's containers (Docker isolates networks with netfilter rules). The
 * machine routes (ip_forward) only so that it can answer with that ICMP error instead of
 * dropping the packet, which would leave the sender waiting for a timeout.
 */
static int isolate_bridge(const char *name) {
  static int table_ready;
  union { struct nlmsghdr h; char buf[256]; } req;
  int r;
  if (!table_ready) {
    write_file("/proc/sys/net/ipv4/ip_forward", "1");
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
    req.h.nlmsg_type = RTM_NEWROUTE;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
    struct rtmsg *rt = NLMSG_DATA(&req.h);
    rt->rtm_family = AF_INET;
    rt->rtm_table = BRIDGE_TABLE;
    rt->rtm_protocol = RTPROT_STATIC;
    rt->rtm_scope = RT_SCOPE_UNIVERSE;
    rt->rtm_type = RTN_UNREACHABLE;
    r = nl_talk(&req.h);
    if (r < 0 && r != -EEXIST) return r;
    table_ready = 1;
  }
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct fib_rule_hdr));
  req.h.nlmsg_type = RTM_NEWRULE;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
  struct fib_rule_hdr *fr = NLMSG_DATA(&req.h);
  fr->family = AF_INET;
  fr->table = BRIDGE_TABLE;
  fr->action = FR_ACT_TO_TBL;
  nl_put(&req.h, sizeof req, FRA_IIFNAME, name, strlen(name) + 1);
  uint32_t prio = 100;
  nl_put(&req.h, sizeof req, FRA_PRIORITY, &prio, sizeof prio);
  r = nl_talk(&req.h);
  return r == -EEXIST ? 0 : r;
}

/*
 * Network namespaces made ahead of time. Making one costs the guest about 20 ms (loopback, the
 * IPv4 sysctls and tables), the largest part of a container's start: the agent makes them while
 * it has nothing else to do, and a container's process enters one (setns) instead of making its
 * own. A namespace is never reused: each pooled one is fresh, its loopback already up.
 */
#define NETNS_POOL 2
static int netns_pool[NETNS_POOL];
static int netns_pooled;

/* Makes one more pooled namespace; returns 0, or -errno. */
static int netns_pool_fill(void) {
  static int own_ns = -1;
  if (netns_pooled >= NETNS_POOL) return 0;
  if (own_ns < 0) own_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (own_ns < 0) return -errno;
  if (unshare(CLONE_NEWNET) < 0) return -errno;
  int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int e = fd < 0 ? errno : 0;
  if (fd >= 0) link_up("lo");
  if (setns(own_ns, CLONE_NEWNET) < 0) die("setns back to the machine's network");
  if (fd < 0) return -e;
  netns_pool[netns_pooled++] = fd;
  return 0;
}

/* A pooled namespace (the caller owns the fd), or -1 when the pool is empty. */
static int netns_pool_take(void) {
  return netns_pooled > 0 ? netns_pool[--netns_pooled] : -1;
}
