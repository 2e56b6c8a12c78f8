import { apiClient } from '../client';
import { printJson } from '../format';

/** `edgeplane caching on|off <domain> --service S`. */
export function setCaching(enabled: boolean) {
  return async (domain: string, options: { service: string; json?: boolean }): Promise<void> => {
    const record = await apiClient().setCaching(options.service, domain, enabled);
    if (options.json) return printJson(record);
    console.log(`${record.domain}: caching ${record.caching ? 'on' : 'off'}`);
  };
}
