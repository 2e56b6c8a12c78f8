import type { ControlPlane } from '../../src/control-plane';
import { DOMAIN_PAGE_MAX_LIMIT, type DomainRecord, type ServiceRecord } from '../../src/model';

// What the operator page shows: every service with its domains' full records. A record is read
// again only when its updatedAt moved, so a quiet control plane costs one list per service.

export interface UiSnapshot {
  at: string;
  services: Array<Pick<ServiceRecord, 'name' | 'status' | 'lastError'> & { domains: DomainRecord[] }>;
}

export class SnapshotReader {
  private readonly known = new Map<string, DomainRecord>();

  constructor(private readonly controlPlane: ControlPlane) {}

  async read(now: Date): Promise<UiSnapshot> {
    const services = await this.controlPlane.listServices();
    return {
      at: now.toISOString(),
      services: await Promise.all(
        services.map(async (service) => ({
          name: service.name,
          status: service.status,
          lastError: service.lastError,
          domains: await this.domains(service.name),
        })),
      ),
    };
  }

  private async domains(service: string): Promise<DomainRecord[]> {
    const page = await this.controlPlane.listDomains(service, { limit: DOMAIN_PAGE_MAX_LIMIT });
    return Promise.all(
      page.items.map(async (summary) => {
        const key = `${service}/${summary.domain}`;
        const known = this.known.get(key);
        if (known?.updatedAt === summary.updatedAt) return known;
        const record = await this.controlPlane.getDomain(service, summary.domain);
        this.known.set(key, record);
        return record;
      }),
    );
  }
}
