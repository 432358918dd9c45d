namespace Drover.Fleet.Config;

/// <summary>
/// The files <c>drover init</c> writes: a commented <c>drover.yaml</c> whose hosts bootstrap on a fresh (local) cloud
/// from system images alone, and the cloud-init template its web hosts use.
/// </summary>
public static class FleetExample
{
    /// <summary>The fleet file's name.</summary>
    public const string FleetFileName = "drover.yaml";

    /// <summary>The web hosts' template, relative to the fleet file.</summary>
    public const string WebTemplatePath = "cloud-init/web.yaml";

    /// <summary>The key pair <c>drover init</c> generates, relative to the fleet file (the public half adds <c>.pub</c>).</summary>
    public const string IdentityFile = ".drover/id_ed25519";

    /// <summary>The example <c>drover.yaml</c>.</summary>
    public static string FleetYaml { get; } = """
        # drover.yaml: the servers of one fleet on Hetzner Cloud.
        #
        #   drover host list              what this file declares
        #   drover bootstrap --plan       what would change in the cloud
        #   drover bootstrap              create the servers
        #   drover host set web1 --image 123456   pin a host to an image you uploaded
        #   drover schema > drover.schema.json    a JSON schema for your editor
        #
        # Unknown keys are errors, and every error names the file, line, column and field.

        # The fleet's name. Every server gets the label drover/fleet=<this>, which is how Drover
        # finds the fleet's servers again; two fleets in one project need two names.
        fleet: example

        # Values every host inherits unless it sets its own.
        defaults:
          location: fsn1          # fsn1, nbg1, hel1, ash, hil, sin
          server_type: cx23       # cx/cpx/ccx are x86, cax is arm
          # SSH keys every server gets; uploaded once, matched by fingerprint. 'drover init'
          # generated this pair; public_key: 'ssh-ed25519 AAAA...' works as well.
          ssh_keys:
            - name: drover-fleet
              public_key_file: .drover/id_ed25519.pub   # relative to this file; ~ is your home
          # The private key 'drover server update' and 'drover secrets sync' log in with (ssh -i).
          identity_file: .drover/id_ed25519
          # Labels for every server (drover/... keys are reserved for Drover's own).
          labels:
            env: dev
          # ${ADMIN_USER} in templates: a user with passwordless sudo and the SSH keys.
          admin_user: admin
          # ${DOMAIN}: a host's FQDN is NAME.DOMAIN.
          domain: example.internal
          # A flake makes the converge command 'nixos-rebuild switch --flake <flake>#<host>'
          # for NixOS images (<host> selects nixosConfigurations.<host>); set 'converge:' on a
          # host for anything else.
          # flake: github:example/infra
          # 'impure: true' adds --impure, so that the configuration can read the server's
          # /etc/hcloud-metadata.json (drover.nixosModules.hcloud); NixOS 20.09's nixos-rebuild
          # has no --impure.
          # impure: true
          # Where 'drover secrets sync' puts a host's secrets.
          secrets_path: /var/lib/drover/secrets

        # Named images that hosts refer to with 'image: NAME'. Exactly one of:
        #   name: a system image (debian-12, ubuntu-24.04, ...)
        #   id: a fixed image, e.g. a snapshot 'drover image upload' made; 'labels:' lists
        #       labels it must carry, checked before anything is created
        #   selector: the newest image whose labels match, optionally of one architecture
        images:
          debian:
            name: debian-12
          # talos-worker:
          #   selector: "os=talos,role=worker"
          #   architecture: x86

        # The servers, by name (a lowercase host name). Unset values come from defaults.
        # 'image' is a name from images:, an image ID, or a system image name; instead of
        # it, 'image_selector: "os=talos"' (with optional 'architecture: arm') picks the
        # newest matching image.
        hosts:
          web1:
            role: web
            image: debian
            labels:
              tier: front
            # User-data: each template becomes one part; ${HOSTNAME}, ${ADMIN_USER},
            # ${SSH_AUTHORIZED_KEYS}, ${DOMAIN}, ${FLAKE_REF} and the variables below are filled in.
            user_data:
              templates: [cloud-init/web.yaml]
              variables:
                ROLE: web
            # networks: [private-net]    # names or IDs, attached at creation
            # firewalls: [web]
            # volumes: []

          web2:
            role: web
            image: debian
            labels:
              tier: front
            user_data:
              templates: [cloud-init/web.yaml]
              variables:
                ROLE: web

          db1:
            role: db
            image: ubuntu-24.04       # a system image named inline
            server_type: cx33         # overrides defaults.server_type
            labels:
              tier: data
            # converge: "apt-get install -y postgresql"   # run once at first boot and by 'server update'
            # target_host: root@203.0.113.10              # where update and secrets sync connect

          # worker1:
          #   role: worker
          #   image: talos-worker
          #   server_type: cx33

        """;

    /// <summary>The web hosts' cloud-init template (<see cref="WebTemplatePath"/>).</summary>
    public static string WebTemplate { get; } = """
        #cloud-config
        # Rendered per host by Drover (drover userdata render HOST): the $${...} placeholders below are filled in from drover.yaml.
        hostname: ${HOSTNAME}
        fqdn: ${HOSTNAME}.${DOMAIN}
        users:
          - name: ${ADMIN_USER}
            groups: [sudo]
            shell: /bin/bash
            sudo: "ALL=(ALL) NOPASSWD:ALL"
            ssh_authorized_keys: ${SSH_AUTHORIZED_KEYS}
        package_update: true
        packages:
          - nginx
        runcmd:
          - echo "${HOSTNAME} (${ROLE})" > /var/www/html/index.html
          - systemctl enable --now nginx

        """;
}
