using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Input (x86): a VMM thread writes kvm_run->kvm_valid_regs, kvm_run->kvm_dirty_regs and
/// the shared area kvm_run->s.regs (KVM_CAP_SYNC_REGS), as they stand after the write.</summary>
/// <remarks>This is a store to the mmap()ed kvm_run page, not an ioctl: it does not wait for
/// KVM_RUN to return, and another thread may do it while KVM_RUN is in flight (sync_regs_test.c's
/// race_* subtests). KVM reads the area once per KVM_RUN, at its start (x86.c sync_regs(), which
/// copies each part before checking it since 0d033770d43a "KVM: x86: Fix KVM_CAP_SYNC_REGS's
/// sync_regs() TOCTOU issues"), and writes it at every return (store_regs()); see
/// <see cref="StoreRegs"/>. api.rst "kvm_valid_regs / kvm_dirty_regs / s.regs".</remarks>
public sealed record SetSyncRegs(KvmSyncRegs ValidRegs, KvmSyncRegs DirtyRegs, kvm_sync_regs Regs) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "set_sync_regs";
    public override string Describe() =>
        $"kvm_run: kvm_valid_regs={Format(ValidRegs)} kvm_dirty_regs={Format(DirtyRegs)} s.regs={Regs.Describe()}";

    /// <summary>The bits by their UAPI names, unknown bits in hex.</summary>
    public static string Format(KvmSyncRegs b)
    {
        if (b == KvmSyncRegs.None) return "0";
        var names = new[] { KvmSyncRegs.KVM_SYNC_X86_REGS, KvmSyncRegs.KVM_SYNC_X86_SREGS, KvmSyncRegs.KVM_SYNC_X86_EVENTS }
            .Where(f => b.HasFlag(f)).Select(f => f.ToString().Replace("KVM_SYNC_X86_", "")).ToList();
        var unknown = (uint)(b & ~KvmSyncRegs.KVM_SYNC_X86_VALID_FIELDS);
        if (unknown != 0) names.Add($"0x{unknown:X}");
        return string.Join("|", names);
    }
}
