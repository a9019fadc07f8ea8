namespace Kvmspec.Spec.Invariants;

/// <summary>The kind of document a <see cref="Source"/> names, so that a reader knows where to look it up.</summary>
public enum SourceKind { ArmArm, IntelSdm, KvmApi, Commit, Thread, KernelSource, Selftest, Qemu, Inference }
