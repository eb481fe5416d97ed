export { findStudioRoot, registerStudio, STUDIO_PUBLIC_PATHS, type StudioOptions } from './studio-routes.js';
