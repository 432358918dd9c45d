# Stands in for a current nixpkgs' make-disk-image.nix: only its text is read (it knows "hybrid" and "auto").
{ partitionTableType ? "legacy", diskSize ? "auto", ... }:
assert partitionTableType == "legacy" || partitionTableType == "legacy+gpt" || partitionTableType == "efi" || partitionTableType == "hybrid" || partitionTableType == "none";
{ }
