using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Observation (x86): kvm_run's sync-regs part as userspace reads it right after KVM_RUN
/// returned: store_regs() refreshed the parts in <see cref="Stored"/> from the vCPU (kvm_valid_regs
/// minus unknown bits), the other parts of <see cref="Regs"/> hold what the VMM last wrote, and
/// <see cref="DirtyRegs"/> is kvm_dirty_regs with the bits sync_regs() consumed cleared.</summary>
/// <remarks>x86.c kvm_arch_vcpu_ioctl_run(): every return goes through its <c>out:</c> label,
/// which calls store_regs() when kvm_valid_regs is non-zero, also when KVM_RUN fails (-EINVAL for
/// an unknown bit: store_regs() copies only the bits it knows). A producer writes this event after
/// the exit or run_failed of every KVM_RUN once the VMM uses the area (after its first
/// <see cref="SetSyncRegs"/>).</remarks>
public sealed record StoreRegs(KvmSyncRegs Stored, KvmSyncRegs DirtyRegs, kvm_sync_regs Regs) : TraceEvent
{
    public override Lane Lane => Lane.Kvm;
    public override EventRole Role => EventRole.Observation;
    public override string Verb => "store_regs";
    public override string Describe() =>
        $"store_regs({SetSyncRegs.Format(Stored)}): s.regs={Regs.Describe()}, kvm_dirty_regs={SetSyncRegs.Format(DirtyRegs)}";
}
