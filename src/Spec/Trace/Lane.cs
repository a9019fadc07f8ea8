namespace Kvmspec.Spec.Trace;

/// <summary>Who an event belongs to in a lane diagram: VMM | KVM | CPU/EL2 | guest.</summary>
public enum Lane { Vmm, Kvm, Cpu, Guest }
