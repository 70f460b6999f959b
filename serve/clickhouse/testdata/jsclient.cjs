// Drives the endpoint with the official ClickHouse JavaScript client
// (@clickhouse/client from the npm registry): ping, typed reads in two
// formats with bound parameters, and an INSERT that must be refused.
// Usage: node jsclient.cjs URL PATHNAME PASSWORD DATABASE; prints one JSON report.
const { createClient } = require('@clickhouse/client');

async function main() {
  const [url, pathname, password, database] = process.argv.slice(2);
  // The URL's own path would be taken as the database: the endpoint's path goes in pathname.
  const client = createClient({ url, pathname, username: 'analyst', password, database });
  const report = {};
  report.ping = (await client.ping()).success;
  const rs = await client.query({
    query: 'SELECT id, name, min_age, need_codes FROM provision WHERE la_code = {la:String} ORDER BY id',
    query_params: { la: 'E06000001' },
    format: 'JSONEachRow',
  });
  report.rows = await rs.json();
  const doc = await client.query({ query: 'SELECT count() AS n, max(updated) AS latest FROM provision', format: 'JSON' });
  const j = await doc.json();
  report.meta = j.meta;
  report.count = j.data[0].n;
  report.latest = j.data[0].latest;
  try {
    await client.command({ query: "INSERT INTO provision (id, name) VALUES (9, 'x')" });
    report.insert = 'accepted';
  } catch (e) {
    report.insert = { code: e.code, message: String(e.message) };
  }
  try {
    await client.insert({ table: 'provision', values: [{ id: 10, name: 'y' }], format: 'JSONEachRow' });
    report.insert2 = 'accepted';
  } catch (e) {
    report.insert2 = { code: e.code, message: String(e.message) };
  }
  const after = await client.query({ query: 'SELECT count() AS n FROM provision', format: 'JSONEachRow' });
  report.countAfter = (await after.json())[0].n;
  await client.close();
  process.stdout.write(JSON.stringify(report));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e));
  process.exit(1);
});
