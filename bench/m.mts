import { measureManyDomains } from './attach/many-domains';
const n = Number(process.argv[2] ?? 2000);
const r = await measureManyDomains({ domains: n, domainsPerService: 100, writeLimitPerHour: 1000, maxHours: 24 });
console.log(JSON.stringify(r));
