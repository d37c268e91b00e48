/**
 * redis and nginx for i386, the services `docker compose` files name most, from Debian bookworm
 * packages on the debian:bookworm-slim layer (shared with debian and python, as Docker Hub's
 * redis and nginx share theirs), laid out and configured like the Docker Official Images.
 *
 * redis (redis:7, redis:7.0, redis:7.0.15, redis:7-bookworm, redis:latest): Debian's redis-server
 * and redis-tools 7.0 (redis-server, redis-cli, redis-benchmark, redis-check-aof/-rdb and
 * redis-sentinel, the last three links to the one binary as upstream installs them; Debian ships
 * check-aof as a second 2.5 MB copy) with the libraries they link: jemalloc (and the libstdc++ it links), lzf, libatomic, OpenSSL,
 * and libsystemd (for sd_notify) with its lz4, zstd, lzma, gcrypt and cap. As the official image:
 * user and group redis (999), /data owned by redis, `VOLUME /data`, `WORKDIR /data`, `EXPOSE 6379`,
 * `ENTRYPOINT ["docker-entrypoint.sh"]` and `CMD ["redis-server"]`, and no redis.conf (redis-server
 * starts with its built-in defaults: every interface, port 6379, dump.rdb in /data). The entrypoint
 * is ours (`REDIS_ENTRYPOINT`), doing what the official one does, and one thing more: the official
 * image compiles protected mode off (a container's port is reachable only where published), which
 * Debian's binary cannot be, so the entrypoint adds `--protected-mode no` unless the arguments or
 * a config file given first set protected-mode themselves. It drops from root to redis with coreutils'
 * `chroot --userspec --skip-chdir /` (already in the base layer) where the official image uses gosu
 * or setpriv. Left out: Debian's /etc/redis/redis.conf (it binds 127.0.0.1, which a service on a
 * network cannot use), init scripts, systemd units, logrotate, OpenSSL's engines and legacy provider.
 * Why `latest`: Docker Hub's redis:latest is redis 8, which Debian bookworm does not have; compose
 * files overwhelmingly say `image: redis`, and an offline catalog that refused them would be less
 * useful than one whose newest redis is 7.0 (the catalog's description and `redis-server --version`
 * say which). `redis:bookworm`, `redis:7.4`, `redis:alpine` are not offered: they name a version or
 * a base this is not.
 *
 * nginx (nginx:1.22, nginx:1.22.1, nginx:latest): Debian's nginx 1.22 (bookworm has no
 * nginx-light or nginx-core any more: one `nginx` binary with the http modules built in; the
 * libnginx-mod-* dynamic modules — stream, mail, geoip, image-filter, xslt, perl — are left out) and
 * the config files of nginx-common. As the official image: user and group nginx (101), the
 * official nginx.conf and conf.d/default.conf (`NGINX_CONF`, `NGINX_DEFAULT_CONF`: listen 80, root
 * /usr/share/nginx/html, with a welcome index.html and 50x.html written here), access.log →
 * /dev/stdout and error.log → /dev/stderr (so `docker logs` shows both), `EXPOSE 80`,
 * `STOPSIGNAL SIGQUIT` (graceful shutdown), `CMD ["nginx", "-g", "daemon off;"]`, and a small
 * /docker-entrypoint.sh that runs the executable /docker-entrypoint.d/*.sh scripts before nginx
 * (the official image's hook for configuring it); the official image's own scripts are not
 * shipped (IPv6 listen: the guest has no IPv6; envsubst templates: no gettext; worker tuning:
 * `worker_processes auto` does it). Temporary files go where Debian's build puts them,
 * /var/lib/nginx (the official image uses /var/cache/nginx). Left out: Debian's sites-*,
 * modules-*, snippets, init script, systemd unit, logrotate, ufw and vim files, iproute2 (the init
 * script's dependency), OpenSSL's engines and legacy provider. Why `latest` and no `stable` or
 * `mainline`: as for redis, `image: nginx` is what compose files say; `stable` and `mainline` name
 * nginx's current branches (1.28, 1.29), which 1.22 is not.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { download, extract, layerOnTop, mergeUsr, pkgInfo, remove, slim, type BuiltLayer } from './debian-images.ts';

const LIBS = 'usr/lib/i386-linux-gnu';

/** redis-server and redis-tools, and the libraries they and libsystemd0 link. */
export const REDIS_PACKAGES = [
  'redis-server',
  'redis-tools',
  'libatomic1',
  'libjemalloc2',
  'libstdc++6',
  'liblzf1',
  'libssl3',
  'libsystemd0',
  'libcap2',
  'libgcrypt20',
  'libgpg-error0',
  'liblz4-1',
  'liblzma5',
  'libzstd1',
];

/** nginx, its config files (nginx-common) and the libraries it links beyond the base layer. */
export const NGINX_PACKAGES = ['nginx', 'nginx-common', 'libcrypt1', 'libssl3'];

/**
 * Removed from both layers beyond `slim`: what a container never runs (init scripts, units, gdb's
 * pretty-printers for libstdc++, libgcrypt's maintainer script), OpenSSL's engines and legacy
 * provider (as in python), and libcap2's libpsx, which nothing links.
 */
const SERVICE_REMOVED = [
  'etc/init.d',
  'etc/default',
  'etc/logrotate.d',
  'etc/ufw',
  'usr/lib/systemd',
  'usr/share/apport',
  'usr/share/vim',
  'usr/share/gcc',
  'usr/share/gdb',
  'usr/share/libgcrypt20',
  `${LIBS}/engines-3`,
  `${LIBS}/ossl-modules`,
  `${LIBS}/libpsx.so*`,
];

/**
 * The redis image's entrypoint (our own words; the behaviour is the official image's):
 * `docker run redis --appendonly yes` and `docker run redis /etc/redis.conf` start redis-server;
 * as root it gives /data's files to redis and runs as redis; it sets a private umask.
 */
export const REDIS_ENTRYPOINT = `#!/bin/sh
# LayerLab's redis entrypoint: behaves like the Docker Official Image's.
set -e

# options (-x, --x) or a *.conf file alone are arguments for redis-server
if [ "\${1#-}" != "$1" ] || [ "\${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

# started as root (no --user): give the data directory to redis and start again as redis
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
	find . \\! -user redis -exec chown redis '{}' +
	exec chroot --userspec=redis:redis --skip-chdir / "$0" "$@"
fi

# Protected mode refuses clients from other addresses when there is no password. The official
# image builds redis with it off, as a container is reachable only on the networks it joins;
# Debian's redis-server has it on, so it is turned off here, last (redis-server looks for
# --version or --help first), unless the arguments or a config file given first set it.
if [ "$1" = redis-server ]; then
	set_already=
	for arg; do
		if [ "$arg" = --protected-mode ]; then set_already=1; fi
	done
	case "\${2:--}" in
	-*) ;;
	*) if grep -qsE '^[[:space:]]*protected-mode[[:space:]]' "$2"; then set_already=1; fi ;;
	esac
	if [ -z "$set_already" ]; then
		set -- "$@" --protected-mode no
	fi
fi

# files redis writes are its own only, unless a umask was chosen
if [ "$(umask)" = 0022 ]; then
	umask 0077
fi

exec "$@"
`;

/** /etc/nginx/nginx.conf, as the official image's: one worker per CPU, logs, conf.d. */
export const NGINX_CONF = `user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
`;

/** /etc/nginx/conf.d/default.conf: the welcome page on port 80 (no IPv6 listen: the guest has none). */
export const NGINX_DEFAULT_CONF = `server {
    listen       80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # server error pages, from the static page /50x.html
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const page = (title: string, body: string) => `<!DOCTYPE html>
<html>
<head>
<title>${title}</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto; font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
${body}
</body>
</html>
`;

/** /usr/share/nginx/html/index.html. */
export const NGINX_INDEX = page(
  'Welcome to nginx!',
  `<h1>Welcome to nginx!</h1>
<p>nginx is installed and serving this page from /usr/share/nginx/html.
Put your site there (a bind mount or a COPY in a Dockerfile), or your own
server blocks in /etc/nginx/conf.d/.</p>

<p>Documentation is at <a href="https://nginx.org/">nginx.org</a>.</p>

<p><em>Thank you for using nginx.</em></p>`,
);

/** /usr/share/nginx/html/50x.html. */
export const NGINX_50X = page(
  'Error',
  `<h1>An error occurred.</h1>
<p>The page you are looking for is currently unavailable.
Please try again later.</p>

<p>If you are the system administrator of this resource, the nginx error log
(<code>docker logs</code>) says what went wrong.</p>

<p><em>Faithfully yours, nginx.</em></p>`,
);

/** /docker-entrypoint.sh of the nginx image: runs /docker-entrypoint.d/*.sh, then the command. */
export const NGINX_ENTRYPOINT = `#!/bin/sh
# LayerLab's nginx entrypoint: as the Docker Official Image's, it runs the executable
# /docker-entrypoint.d/*.sh scripts (in name order) before starting nginx.
set -e

if [ "$1" = nginx ]; then
	for f in /docker-entrypoint.d/*.sh; do
		if [ -f "$f" ] && [ -x "$f" ]; then
			echo "$0: running $f"
			"$f"
		fi
	done
fi

exec "$@"
`;

/** Adds a system user and its group to /etc/passwd, /etc/group and /etc/shadow under `root`. */
function addUser(root: string, name: string, id: number, gecos: string, home: string, shell: string): void {
  const append = (file: string, line: string) => writeFileSync(join(root, file), readFileSync(join(root, file), 'utf8') + line + '\n');
  append('etc/passwd', `${name}:x:${id}:${id}:${gecos}:${home}:${shell}`);
  append('etc/group', `${name}:x:${id}:`);
  append('etc/shadow', `${name}:!:19000::::::`);
}

/** Debian's package (extracted to `x`), slimmed, copied over `dir` (the tree of the layer). */
function unpack(work: string, name: string, debs: Map<string, string>, dir: string, edit: (x: string) => void): void {
  const x = join(work, `x-${name}`);
  rmSync(x, { recursive: true, force: true });
  mkdirSync(x, { recursive: true });
  extract(debs, x);
  mergeUsr(x, false);
  slim(x);
  remove(x, SERVICE_REMOVED);
  edit(x);
  execFileSync('cp', ['-a', `${x}/.`, dir]);
  rmSync(x, { recursive: true, force: true });
}

/** The redis layer on top of the debian base in `root` (changes `root`); `version` is redis's (7.0.15). */
export function buildRedisLayer(work: string, root: string): BuiltLayer & { version: string } {
  const debs = download(join(work, 'debs-redis'), REDIS_PACKAGES, () => ':i386');
  const info = pkgInfo(debs);
  // 5:7.0.15-1~deb12u10 → 7.0.15
  const version = info['redis-server:i386']!.version.replace(/^\d+:/, '').split('-')[0]!;
  const layer = layerOnTop(
    work,
    'redis',
    root,
    (dir) => {
      unpack(work, 'redis', debs, dir, (x) => {
        rmSync(join(x, 'etc/redis'), { recursive: true, force: true });
        // one binary, as upstream's `make install` leaves it: check-aof, check-rdb, sentinel and
        // server are the same program (it looks at its name)
        rmSync(join(x, 'usr/bin/redis-check-aof'));
        symlinkSync('redis-check-rdb', join(x, 'usr/bin/redis-check-aof'));
        symlinkSync('redis-check-rdb', join(x, 'usr/bin/redis-sentinel'));
      });
      addUser(dir, 'redis', 999, '', '/home/redis', '/bin/sh');
      mkdirSync(join(dir, 'data'));
      chmodSync(join(dir, 'data'), 0o755);
      chownSync(join(dir, 'data'), 999, 999);
      writeFileSync(join(dir, 'usr/local/bin/docker-entrypoint.sh'), REDIS_ENTRYPOINT, { mode: 0o755 });
      execFileSync(join(dir, 'usr/sbin/ldconfig'), ['-r', dir]);
    },
    `# redis ${version} (Debian ${info['redis-server:i386']!.version}) from ${debs.size} Debian packages; user redis (999), /data`,
    debs,
    { keepOwners: true },
  );
  return { ...layer, version };
}

/** The nginx layer on top of the debian base in `root` (changes `root`); `version` is nginx's (1.22.1). */
export function buildNginxLayer(work: string, root: string): BuiltLayer & { version: string } {
  const debs = download(join(work, 'debs-nginx'), NGINX_PACKAGES, (p) => (p === 'nginx-common' ? '' : ':i386'));
  const info = pkgInfo(debs);
  const version = info['nginx:i386']!.version.split('-')[0]!;
  const layer = layerOnTop(
    work,
    'nginx',
    root,
    (dir) => {
      unpack(work, 'nginx', debs, dir, (x) => {
        const etc = join(x, 'etc/nginx');
        for (const d of ['sites-available', 'sites-enabled', 'modules-available', 'modules-enabled', 'snippets'])
          rmSync(join(etc, d), { recursive: true, force: true });
        writeFileSync(join(etc, 'nginx.conf'), NGINX_CONF);
        writeFileSync(join(etc, 'conf.d/default.conf'), NGINX_DEFAULT_CONF);
        const html = join(x, 'usr/share/nginx/html');
        writeFileSync(join(html, 'index.html'), NGINX_INDEX);
        writeFileSync(join(html, '50x.html'), NGINX_50X);
      });
      addUser(dir, 'nginx', 101, 'nginx user', '/nonexistent', '/bin/false');
      mkdirSync(join(dir, 'var/log/nginx'), { recursive: true });
      symlinkSync('/dev/stdout', join(dir, 'var/log/nginx/access.log'));
      symlinkSync('/dev/stderr', join(dir, 'var/log/nginx/error.log'));
      // nginx (as root) makes its temporary directories in here, for its workers
      mkdirSync(join(dir, 'var/lib/nginx'), { recursive: true });
      writeFileSync(join(dir, 'docker-entrypoint.sh'), NGINX_ENTRYPOINT, { mode: 0o755 });
      mkdirSync(join(dir, 'docker-entrypoint.d'));
      execFileSync(join(dir, 'usr/sbin/ldconfig'), ['-r', dir]);
    },
    `# nginx ${version} (Debian ${info['nginx:i386']!.version}) from ${debs.size} Debian packages; user nginx (101)`,
    debs,
  );
  return { ...layer, version };
}
