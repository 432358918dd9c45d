// A scenario of the npm client proxmox-api against Drover's local Proxmox VE (run by ProxmoxClientScenarioTests).
// Environment: PVE_HOST, PVE_PORT, PVE_NODE, PVE_TOKEN_ID, PVE_TOKEN_SECRET, PVE_CA (the node's certificate, PEM).
// The TLS connection verifies the certificate against PVE_CA: trust pinned to the node, never switched off.
// Prints one line per step and 'scenario ok' at the end; any failure exits 1 with the error.
'use strict';
const fs = require('node:fs');
const { Agent, fetch, FormData } = require('undici');
const proxmoxApi = require('proxmox-api').default;

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const host = env('PVE_HOST');
const port = Number(env('PVE_PORT'));
const node = env('PVE_NODE');
const dispatcher = new Agent({ connect: { ca: fs.readFileSync(env('PVE_CA')) } });
const pinnedFetch = (url, init) => fetch(url, { ...init, dispatcher });
const px = proxmoxApi({ host, port, tokenID: env('PVE_TOKEN_ID'), tokenSecret: env('PVE_TOKEN_SECRET'), fetch: pinnedFetch });

const step = (name, detail) => console.log(`step ${name}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
const check = (ok, what) => { if (!ok) throw new Error(`check failed: ${what}`); };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitTask(upid) {
  check(/^UPID:[^:]+:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[^:]+:[^:]*:[^:]+:$/.test(upid), `UPID format of ${upid}`);
  for (let i = 0; i < 600; i++) {
    const status = await px.nodes.$(node).tasks.$(upid).status.$get();
    if (status.status === 'stopped') {
      if (status.exitstatus !== 'OK') throw new Error(`task ${upid} failed: ${status.exitstatus}`);
      return status;
    }
    await sleep(100);
  }
  throw new Error(`task ${upid} did not finish`);
}

async function upload(name, bytes) {
  // proxmox-api sends form-urlencoded bodies only; uploads are multipart, so this one goes through fetch itself.
  const form = new FormData();
  form.append('content', 'import');
  form.append('filename', new Blob([bytes]), name);
  const response = await pinnedFetch(`https://${host}:${port}/api2/json/nodes/${node}/storage/local/upload`, {
    method: 'POST',
    headers: { Authorization: `PVEAPIToken=${env('PVE_TOKEN_ID')}=${env('PVE_TOKEN_SECRET')}` },
    body: form,
  });
  check(response.headers.get('content-type') === 'application/json;charset=UTF-8', 'upload content type');
  const body = await response.json();
  check(response.status === 200, `upload status ${response.status} ${response.statusText} ${JSON.stringify(body)}`);
  return body.data;
}

async function main() {
  const version = await px.version.$get();
  check(typeof version.version === 'string', 'version');
  step('version', version.version);

  const vmid = Number(await px.cluster.nextid.$get());
  check(vmid >= 100, 'nextid');
  step('nextid', vmid);

  const disk = Buffer.alloc(1024 * 1024);
  disk.write('drover-scenario');
  await waitTask(await upload('scenario.raw', disk));
  const imports = await px.nodes.$(node).storage.$('local').content.$get({ content: 'import' });
  check(imports.some((v) => v.volid === 'local:import/scenario.raw'), 'uploaded volume listed');
  step('upload', 'local:import/scenario.raw');

  const vm = px.nodes.$(node).qemu.$(vmid);
  await waitTask(await px.nodes.$(node).qemu.$post({
    vmid,
    name: 'scenario-template',
    scsihw: 'virtio-scsi-pci',
    scsi0: 'local:0,import-from=local:import/scenario.raw',
    ide2: 'local:cloudinit',
    net0: 'virtio,bridge=vmbr0',
    serial0: 'socket',
    vga: 'serial0',
    agent: '1',
    tags: 'drover;scenario',
  }));
  step('create', (await vm.config.$get()).scsi0);

  await waitTask(await vm.template.$post());
  const template = await vm.config.$get();
  check(template.template === 1, 'template flag');
  step('template', template.scsi0);

  const cloneId = vmid + 1;
  await waitTask(await vm.clone.$post({ newid: cloneId, name: 'scenario-clone' }));
  const clone = px.nodes.$(node).qemu.$(cloneId);
  const cloneConfig = await clone.config.$get();
  check(cloneConfig.scsi0.startsWith(`local:${vmid}/base-${vmid}-disk-0.raw/${cloneId}/vm-${cloneId}-disk-0.qcow2`), `linked clone disk ${cloneConfig.scsi0}`);
  step('clone', cloneConfig.scsi0);

  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDroverScenarioKeyForTheLocalProxmoxVE0000 scenario@drover';
  await clone.config.$put({
    ciuser: 'root',
    sshkeys: encodeURIComponent(key),
    ipconfig0: 'ip=198.19.254.50/24,gw=198.19.254.1',
    nameserver: '198.19.254.3',
  });
  step('config', 'ciuser, sshkeys, ipconfig0 set');

  const user = await clone.cloudinit.dump.$get({ type: 'user' });
  check(user.startsWith('#cloud-config\nhostname: scenario-clone\n'), `user-data head: ${user}`);
  check(user.includes(`ssh_authorized_keys:\n  - ${key}\n`), 'user-data key');
  check(user.includes('user: root\ndisable_root: False\n'), 'user-data root');
  const network = await clone.cloudinit.dump.$get({ type: 'network' });
  check(network.includes("address: '198.19.254.50'\n") && network.includes("netmask: '255.255.255.0'\n"), `network-config: ${network}`);
  const meta = await clone.cloudinit.dump.$get({ type: 'meta' });
  check(/^instance-id: [0-9a-f]{40}\n$/.test(meta), `meta-data: ${meta}`);
  step('cloudinit', meta.trim());

  let error;
  try {
    await px.nodes.$(node).qemu.$(999999).config.$get();
  } catch (e) {
    error = e;
  }
  check(error && error.message.includes("500 Configuration file 'nodes/" + node + "/qemu-server/999999.conf' does not exist"), `missing VM error: ${error && error.message}`);
  step('missing', 'the client surfaced the 500 reason');

  await waitTask(await clone.$delete({ purge: 1, 'destroy-unreferenced-disks': 1 }));
  await waitTask(await vm.$delete({ purge: 1 }));
  const left = await px.nodes.$(node).qemu.$get();
  check(left.length === 0, 'no VM left');
  step('delete', 'template and clone deleted');
  console.log('scenario ok');
}

main().then(() => process.exit(0), (e) => {
  console.error(`scenario failed: ${e && e.stack ? e.stack : e}`);
  if (e && e.cause) console.error(`cause: ${e.cause.stack || e.cause}`);
  process.exit(1);
});
