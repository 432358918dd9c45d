using Drover.Fleet.Config;
using Drover.Hcloud.Contracts;

namespace Drover.Fleet.Bootstrap;

/// <summary>An SSH key of the fleet: found in the project by fingerprint, or to be uploaded.</summary>
public sealed record SshKeyPlan(SshKeySpec Spec, string Fingerprint, SshKey? Existing);
