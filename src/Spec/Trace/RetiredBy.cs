namespace Kvmspec.Spec.Trace;

/// <summary>Who completed a guest instruction: the CPU executing it natively, KVM emulating it,
/// or the VMM emulating it (after KVM_EXIT_ARM_NISV).</summary>
public enum RetiredBy { Hardware, Kvm, Vmm }
