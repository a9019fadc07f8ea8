using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>KVM_CAP_SYNC_REGS as the x86 invariants see it: a <c>set_sync_regs</c> with
/// KVM_SYNC_X86_REGS dirty is a KVM_SET_REGS of its <c>s_regs.regs</c> at the next KVM_RUN.</summary>
/// <remarks>x86.c kvm_arch_vcpu_ioctl_run(): a KVM_RUN whose kvm_valid_regs or kvm_dirty_regs has
/// a bit KVM does not know fails with -EINVAL before sync_regs() (nothing copied, the bits stay);
/// otherwise sync_regs() copies REGS first (__set_regs: RIP, then RFLAGS through kvm_set_rflags)
/// and clears its dirty bit, so a later part it rejects does not undo it. A store made while a
/// KVM_RUN is in flight comes after that run's <c>run</c> in the trace, so the next KVM_RUN reads
/// it, as KVM does. The registers the area leaves out (RCX, RDI) keep their values.</remarks>
internal sealed class X86SyncedRegs
{
    private SetSyncRegs? last;

    /// <summary>Follows <paramref name="e"/>; at a KVM_RUN that copies REGS in, the KVM_SET_REGS it amounts to.</summary>
    public SetRegs? At(TraceEvent e)
    {
        switch (e)
        {
            case SetSyncRegs w:
                last = w;
                break;
            case Run when last is { } w && w.DirtyRegs.HasFlag(KvmSyncRegs.KVM_SYNC_X86_REGS)
                          && ((w.ValidRegs | w.DirtyRegs) & ~KvmSyncRegs.KVM_SYNC_X86_VALID_FIELDS) == 0:
                last = w with { DirtyRegs = w.DirtyRegs & ~KvmSyncRegs.KVM_SYNC_X86_REGS };
                return new SetRegs(w.Regs.rip, w.Regs.rflags, w.Regs.rbx);
        }
        return null;
    }
}
