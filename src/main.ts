import { mount } from 'svelte';
import App from './ui/App.svelte';
import { registerServiceWorker } from './lib/persistence/offline';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
export default mount(App, { target });
registerServiceWorker();
