/** Browser entry point: mounts the Svelte app into #app. */
import { mount } from 'svelte';
import App from './App.svelte';

const target = document.getElementById('app');
if (target === null) throw new Error('index.html has no #app element to mount bric into');
mount(App, { target });
