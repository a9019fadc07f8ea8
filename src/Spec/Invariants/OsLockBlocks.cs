using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>OSLOCK-BLOCKS: while the guest's OS Lock is set, no breakpoint, watchpoint or
/// software-step exception reaches the guest, BRK still does, and OSLSR_EL1.OSLK reads back what
/// the guest wrote.</summary>
/// <remarks>
/// Paths: <c>debug-exception</c> (the guest takes a breakpoint, watchpoint or step exception while
/// its lock is set), <c>brk</c> (a BRK retires without raising its exception while the lock is
/// set: swallowed), <c>status</c> (a guest read of OSLSR_EL1 disagrees with the guest's last
/// OSLAR_EL1 write or userspace's last OSLSR_EL1 write). The lock's state is the
/// <see cref="GuestView"/>'s: before the guest or userspace sets it nothing is judged.
/// </remarks>
public static class OsLockBlocks
{
    public const string Id = "OSLOCK-BLOCKS";

    /// <summary>The full-profile monitor.</summary>
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        public override void Observe(int i, TraceEvent ev)
        {
            bool locked = View.Oslk == true;
            switch (ev)
            {
                case ExceptionTaken { Esr: { } esr } x when locked && esr.IsLockableDebug:
                    Report("debug-exception", i, $"the guest took {esr.EC} at 0x{x.Elr:X} with its OS Lock set");
                    break;
                case Retired r when locked && r.Mnemonic == "brk":
                    Report("brk", i, $"the BRK at 0x{r.Pc:X} retired (by {r.By}) without its exception while the OS Lock is set: the OS Lock must not block BRK");
                    break;
                case GuestRegRead { Reg: SysReg.OSLSR_EL1 } r when View.OslkWritten is { } k && OSLSR_EL1.Decode(r.Value).OSLK != k:
                    Report("status", i, $"the guest reads OSLSR_EL1 = 0x{r.Value:X} (OSLK={(k ? 0 : 1)}) after setting the lock to {(k ? 1 : 0)}");
                    break;
            }
        }
    }
}
