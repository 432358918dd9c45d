namespace Drover.Fleet.Config;

/// <summary>
/// A JSON Schema (draft 2020-12) of <c>drover.yaml</c> for editors (yaml-language-server:
/// <c># yaml-language-server: $schema=drover.schema.json</c>). The loader is stricter (files must exist, the architecture
/// must fit the server type); a test keeps the keys here and in <see cref="FleetKeys"/> the same.
/// </summary>
public static class FleetSchema
{
    /// <summary>The schema's <c>$id</c>.</summary>
    public const string Id = "https://drover.dev/schemas/drover.yaml.json";

    /// <summary>The schema as indented JSON.</summary>
    public static string Json { get; } = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://drover.dev/schemas/drover.yaml.json",
          "title": "Drover fleet file (drover.yaml)",
          "description": "The servers of one fleet on Hetzner Cloud: their images, types, locations, labels and user-data.",
          "type": "object",
          "additionalProperties": false,
          "required": ["fleet", "hosts"],
          "properties": {
            "fleet": {
              "description": "The fleet's name: the value of the drover/fleet label on every server of the fleet (a valid label value).",
              "type": "string",
              "minLength": 1,
              "maxLength": 63,
              "pattern": "^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$"
            },
            "defaults": { "$ref": "#/$defs/defaults" },
            "images": {
              "description": "Named images that hosts refer to with 'image: NAME'.",
              "type": "object",
              "additionalProperties": { "$ref": "#/$defs/image" }
            },
            "hosts": {
              "description": "The servers, by name (an RFC 1123 host name label: lowercase letters, digits and '-', at most 63 characters).",
              "type": "object",
              "propertyNames": { "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63 },
              "additionalProperties": { "$ref": "#/$defs/host" }
            }
          },
          "$defs": {
            "labels": {
              "description": "Labels (key: value). Keys starting with 'drover/' are reserved for Drover.",
              "type": "object",
              "propertyNames": { "not": { "pattern": "^drover/" } },
              "additionalProperties": { "type": ["string", "number", "boolean", "null"] }
            },
            "names": {
              "description": "Names or IDs.",
              "type": "array",
              "items": { "type": ["string", "integer"] }
            },
            "architecture": {
              "description": "The CPU architecture: x86 (cx, cpx, ccx server types) or arm (cax server types).",
              "enum": ["x86", "arm"]
            },
            "defaults": {
              "description": "Values every host inherits unless it sets its own.",
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "location": { "description": "Default location, e.g. fsn1, nbg1, hel1.", "type": "string" },
                "server_type": { "description": "Default server type, e.g. cx23 (x86) or cax11 (arm).", "type": "string" },
                "ssh_keys": {
                  "description": "SSH keys every server gets; uploaded once, matched by fingerprint.",
                  "type": "array",
                  "items": { "$ref": "#/$defs/ssh_key" }
                },
                "identity_file": { "description": "The private key update and secrets sync log in with (ssh -i); relative to the fleet file, ~ is home.", "type": "string" },
                "labels": { "$ref": "#/$defs/labels" },
                "admin_user": { "description": "The admin user (${ADMIN_USER}): passwordless sudo and the SSH keys.", "type": "string" },
                "domain": { "description": "The domain (${DOMAIN}); a host's FQDN is NAME.DOMAIN.", "type": "string" },
                "flake": { "description": "The flake hosts converge from (github:org/infra, without #): the converge command defaults to nixos-rebuild switch --flake REF#NAME, NAME selecting nixosConfigurations.NAME.", "type": "string" },
                "impure": { "description": "Add --impure to the default converge command (nixos-rebuild switch --flake REF#NAME --impure), so that the configuration can read /etc/hcloud-metadata.json (drover.nixosModules.hcloud); nixos-rebuild of NixOS 20.09pre has no --impure. Default false.", "type": "boolean" },
                "secrets_path": { "description": "Where secrets sync puts a host's bundle (default /var/lib/drover/secrets).", "type": "string", "pattern": "^/" }
              }
            },
            "ssh_key": {
              "description": "An SSH public key: exactly one of public_key or public_key_file.",
              "type": "object",
              "additionalProperties": false,
              "required": ["name"],
              "properties": {
                "name": { "description": "The key's name in the cloud when Drover uploads it.", "type": "string", "minLength": 1 },
                "public_key": { "description": "The public key line in OpenSSH format (ssh-ed25519 AAAA... comment).", "type": "string" },
                "public_key_file": { "description": "A .pub file, relative to the fleet file; ~ is the home directory.", "type": "string" }
              },
              "oneOf": [
                { "required": ["public_key"] },
                { "required": ["public_key_file"] }
              ]
            },
            "image": {
              "description": "An image: exactly one of name (a system image), id (a pinned image) or selector (the newest image matching a label selector).",
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "name": { "description": "A system image by name, e.g. debian-12 or ubuntu-24.04.", "type": "string", "minLength": 1 },
                "id": { "description": "A fixed image ID, usually a snapshot Drover uploaded.", "type": "integer", "minimum": 1 },
                "selector": { "description": "A label selector, e.g. 'os=talos,role=worker'; the most recent matching image is used.", "type": "string", "minLength": 1 },
                "architecture": { "$ref": "#/$defs/architecture" },
                "labels": {
                  "description": "Labels a pinned image must carry; a mismatch is refused at plan time. Only with id.",
                  "$ref": "#/$defs/labels"
                }
              },
              "oneOf": [
                { "required": ["name"] },
                { "required": ["id"] },
                { "required": ["selector"] }
              ]
            },
            "host": {
              "description": "One server. Unset values come from defaults.",
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "role": { "description": "The host's role (free text, e.g. web or db).", "type": "string" },
                "image": { "description": "A key of images:, an image ID, or a system image name (e.g. ubuntu-24.04).", "type": ["string", "integer"] },
                "image_selector": { "description": "Instead of image: the newest image matching this label selector.", "type": "string", "minLength": 1 },
                "architecture": { "description": "With image_selector: the architecture the image must have.", "$ref": "#/$defs/architecture" },
                "server_type": { "description": "The server type, e.g. cx23; overrides defaults.server_type.", "type": "string" },
                "location": { "description": "The location, e.g. nbg1; overrides defaults.location.", "type": "string" },
                "labels": { "description": "Labels overlaid on defaults.labels.", "$ref": "#/$defs/labels" },
                "networks": { "description": "Networks (names or IDs) to attach at creation.", "$ref": "#/$defs/names" },
                "firewalls": { "description": "Firewalls (names or IDs) to apply at creation.", "$ref": "#/$defs/names" },
                "volumes": { "description": "Volumes (names or IDs) to attach at creation.", "$ref": "#/$defs/names" },
                "user_data": { "$ref": "#/$defs/user_data" },
                "network": { "$ref": "#/$defs/network" },
                "flake": { "description": "The flake this host converges from; overrides defaults.flake.", "type": "string" },
                "impure": { "description": "Add --impure to this host's default converge command; overrides defaults.impure. Only with a flake and no converge.", "type": "boolean" },
                "admin_user": { "description": "The admin user; overrides defaults.admin_user.", "type": "string" },
                "domain": { "description": "The domain; overrides defaults.domain.", "type": "string" },
                "target_host": { "description": "Where update and secrets sync connect, USER@ADDRESS (default root@ the public IPv4).", "type": "string" },
                "converge": { "description": "The command that converges the host, at first boot and on update; without it, a flake means nixos-rebuild switch --flake REF#NAME.", "type": "string" },
                "secrets_path": { "description": "Where secrets go on this host; overrides defaults.secrets_path.", "type": "string", "pattern": "^/" },
                "proxmox": { "$ref": "#/$defs/proxmox" }
              },
              "oneOf": [
                { "required": ["image"], "not": { "anyOf": [{ "required": ["architecture"] }, { "required": ["proxmox"] }] } },
                { "required": ["image_selector"], "not": { "required": ["proxmox"] } },
                { "required": ["proxmox"], "not": { "anyOf": [{ "required": ["image"] }, { "required": ["image_selector"] }, { "required": ["server_type"] }, { "required": ["location"] }, { "required": ["networks"] }, { "required": ["firewalls"] }, { "required": ["volumes"] }] } }
              ]
            },
            "proxmox": {
              "description": "The host is a VM on Proxmox VE, cloned from a template with a cloud-init drive: its user-data as a cicustom snippet, its network (static from 'network', else DHCP) as ipconfig0.",
              "type": "object",
              "additionalProperties": false,
              "required": ["template"],
              "properties": {
                "node": { "description": "The node the VM runs on (default: the template's node).", "type": "string" },
                "template": { "description": "The template to clone: its VMID or its name (see 'drover proxmox template').", "type": ["string", "integer"] },
                "clone": { "description": "linked (default: the template's disk shared copy-on-write) or full (a copy).", "enum": ["linked", "full"] },
                "storage": { "description": "A full clone's storage (default: the template's).", "type": "string" },
                "bridge": { "description": "The bridge of net0 (default vmbr0).", "type": "string" },
                "snippets": { "description": "The storage the user-data snippet goes to; needs 'snippets' content (default local).", "type": "string" },
                "vmid": { "description": "The VM's id (default: the cluster's next free id).", "type": "integer", "minimum": 100, "maximum": 999999999 },
                "cores": { "description": "CPU cores (default: the template's).", "type": "integer", "minimum": 1 },
                "memory": { "description": "Memory in MiB (default: the template's).", "type": "integer", "minimum": 16 }
              }
            },
            "user_data": {
              "description": "The host's user-data: templates with ${PLACEHOLDER}s, rendered at bootstrap.",
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "templates": {
                  "description": "Template files relative to the fleet file; each becomes one part (several: MIME multipart).",
                  "type": "array",
                  "items": { "type": "string", "minLength": 1 }
                },
                "variables": {
                  "description": "Extra placeholder values, used as ${NAME}.",
                  "type": "object",
                  "propertyNames": { "pattern": "^[A-Z][A-Z0-9_]*$" },
                  "additionalProperties": { "type": ["string", "number", "boolean"] }
                }
              }
            },
            "network": {
              "description": "Static addressing for the ${NETWORK_INTERFACE} ${STATIC_IP} ${CIDR} ${GATEWAY} ${DNS_SERVERS} placeholders.",
              "type": "object",
              "additionalProperties": false,
              "required": ["address"],
              "properties": {
                "interface": { "description": "The interface (default eth0).", "type": "string", "minLength": 1 },
                "address": { "description": "The address with its prefix length, e.g. 10.0.0.5/24.", "type": "string", "pattern": "^[0-9A-Fa-f:.]+/[0-9]{1,3}$" },
                "gateway": { "description": "The gateway address.", "type": "string" },
                "dns": { "description": "DNS server addresses.", "type": "array", "items": { "type": "string" } }
              }
            }
          }
        }
        """;
}
