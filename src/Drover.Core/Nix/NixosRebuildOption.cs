namespace Drover.Core.Nix;

/// <summary>An option <see cref="NixosRebuild"/> may put on a <c>nixos-rebuild</c> command line.</summary>
/// <param name="Name">The option as written, e.g. <c>--flake</c>.</param>
/// <param name="Values">How many arguments follow it (<c>--flake REF#HOST</c>: one; <c>--impure</c>: none).</param>
/// <param name="KnownToNixos2009">
/// Whether <c>nixos-rebuild</c> of the NixOS 20.09 tree Drover tests against (nixpkgs 28fce082c8ca, July 2020,
/// NixOS 20.09pre) accepts it. An option that is not is newer: a host on a nixpkgs that old stops with
/// <c>unknown option</c>. <c>NixosRebuildTests</c> reads that tree's script and keeps this true.
/// </param>
/// <param name="Description">What the option does, for messages and documentation.</param>
public sealed record NixosRebuildOption(string Name, int Values, bool KnownToNixos2009, string Description);
