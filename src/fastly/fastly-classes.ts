import ApiClientFile from 'fastly/dist/ApiClient.js';
import BackendApiFile from 'fastly/dist/api/BackendApi.js';
import ConfigStoreApiFile from 'fastly/dist/api/ConfigStoreApi.js';
import ConfigStoreItemApiFile from 'fastly/dist/api/ConfigStoreItemApi.js';
import CustomerApiFile from 'fastly/dist/api/CustomerApi.js';
import DomainApiFile from 'fastly/dist/api/DomainApi.js';
import PackageApiFile from 'fastly/dist/api/PackageApi.js';
import PurgeApiFile from 'fastly/dist/api/PurgeApi.js';
import ResourceApiFile from 'fastly/dist/api/ResourceApi.js';
import ServiceApiFile from 'fastly/dist/api/ServiceApi.js';
import TlsActivationsApiFile from 'fastly/dist/api/TlsActivationsApi.js';
import TlsCertificatesApiFile from 'fastly/dist/api/TlsCertificatesApi.js';
import TlsSubscriptionsApiFile from 'fastly/dist/api/TlsSubscriptionsApi.js';
import VersionApiFile from 'fastly/dist/api/VersionApi.js';

// The classes of fastly-js we use, each from its own file: the package's index loads all of its
// ~1,100 API and model files, about a second of CPU in every process that talks to Fastly (and
// the bulk of the Worker bundle); these thirteen APIs and what they use are a quarter of that.

// biome-ignore lint/suspicious/noExplicitAny: untyped module; src/fastly/create-gateway.ts gives each call its type.
type FastlyClass = new (...args: any[]) => any;

/**
 * The class a file of fastly-js exports: Babel's CommonJS `exports.default`, which Node's import
 * (and a bundler in Node's mode) hands over as `{ default: Class }`, and vitest as the class itself.
 */
function exported(file: unknown): FastlyClass {
  return (typeof file === 'function' ? file : (file as { default: FastlyClass }).default) as FastlyClass;
}

export const ApiClient = exported(ApiClientFile);
export const BackendApi = exported(BackendApiFile);
export const ConfigStoreApi = exported(ConfigStoreApiFile);
export const ConfigStoreItemApi = exported(ConfigStoreItemApiFile);
export const CustomerApi = exported(CustomerApiFile);
export const DomainApi = exported(DomainApiFile);
export const PackageApi = exported(PackageApiFile);
export const PurgeApi = exported(PurgeApiFile);
export const ResourceApi = exported(ResourceApiFile);
export const ServiceApi = exported(ServiceApiFile);
export const TlsActivationsApi = exported(TlsActivationsApiFile);
export const TlsCertificatesApi = exported(TlsCertificatesApiFile);
export const TlsSubscriptionsApi = exported(TlsSubscriptionsApiFile);
export const VersionApi = exported(VersionApiFile);
