/**
 * embed.html, the `<iframe>` embed: the same widget, full size, its Dockerfile from the query
 * (`?dockerfile=<url-encoded text>&tag=NAME&run=COMMAND`; `dockerfile-src` and `files` work too).
 */
import './main.ts';

const query = new URLSearchParams(location.search);
const widget = document.createElement('layerlab-playground');
widget.textContent = query.get('dockerfile') ?? 'FROM busybox\nCMD ["echo", "Hello from a container"]\n';
for (const name of ['tag', 'run', 'dockerfile-src', 'files']) {
  const value = query.get(name);
  if (value) widget.setAttribute(name, value);
}
widget.setAttribute('height', '100%');
document.body.append(widget);
