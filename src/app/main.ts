/** The site's entry point: mounts the shell (or, inside a Preview frame, returns to the previewed app). */
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { returnToPreview } from './preview.ts';

if (!returnToPreview()) mount(App, { target: document.getElementById('app')! });
