import { measureManyDomains } from './many-domains';

// One row of the attach table at any size, outside the benchmark run: `npx tsx bench/attach/measure.ts 2000`.
const domains = Number(process.argv[2] ?? 2000);
const result = await measureManyDomains({ domains, domainsPerService: 100, writeLimitPerHour: 1000, maxHours: 24 });
console.log(JSON.stringify(result));
