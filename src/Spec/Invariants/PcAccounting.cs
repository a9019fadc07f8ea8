using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>Follows the guest's architectural PC through an observable trace and classifies every
/// disagreement once, so that PC-ONCE and EXIT-CONSISTENT never report the same root cause twice.</summary>
/// <remarks>
/// The expected PC starts at the trace's initial PC and moves only by what the trace shows:
/// a retirement (to its next PC), an exception delivered to the guest (to its vector), or a
/// KVM_SET_ONE_REG of the PC. An access that exits to userspace (KVM_EXIT_MMIO, KVM_EXIT_ARM_NISV,
/// -ENOSYS) is pending until it is completed or aborted. Sources: api.rst "KVM_RUN" (the
/// completion note), 26778aaa134a "KVM: arm64: Commit pending PC adjustemnts before returning to
/// userspace", e735a5da6442 "KVM: arm64: Don't retire aborted MMIO instruction".
/// </remarks>
public sealed class PcAccounting(TraceHeader header, Action<PcFinding> found)
{
    /// <summary>A monitor that reports the shared accounting's findings of the kinds its path function
    /// maps to a path (PC-ONCE and EXIT-CONSISTENT split the findings between them).</summary>
    public sealed class Findings : Monitor
    {
        public Findings(string id, JudgeContext c, Func<PcFindingKind, string?> pathOf) : base(id, c) =>
            c.OnPcFinding(f => { if (pathOf(f.Kind) is { } path) Report(path, f.EventIndex, f.Message); });

        public override void Observe(int index, TraceEvent e) { }
    }

    private sealed class Pending(ulong pc)
    {
        public ulong Pc { get; } = pc;
        public bool Completed { get; set; }
        public bool Aborted { get; set; }
        public bool ReportedEarly { get; set; }
    }

    private ulong? expected = header.InitialPc;
    private Pending? pending;
    private ulong? lastRetiredPc;
    private long hidden;

    private void Add(PcFindingKind k, int i, string m) => found(new PcFinding(k, i, m));

    // A PC that is the expected one plus an adjustment hidden at an earlier return: the
    // adjustment was applied later (EXIT-CONSISTENT's, not PC-ONCE's).
    private bool HiddenApplied(int i, ulong seen, string what)
    {
        if (hidden == 0 || expected is not { } e || seen != (ulong)((long)e + hidden)) return false;
        Add(PcFindingKind.HiddenAdjustApplied, i, $"{what} at 0x{seen:X}, not 0x{e:X}: the adjustment of {hidden:+#;-#} hidden at an earlier return was applied afterwards");
        expected = seen;
        hidden = 0;
        return true;
    }

    private void OnReturn(int i, ulong? pc, bool accessPending)
    {
        // A completed access is done at the next return; an aborted one is remembered until a new
        // access or a PC write, so that completing it later is still caught.
        if (pending is { Completed: true }) pending = null;
        if (pc is { } seen0 && expected is { } e0 && seen0 != e0) HiddenApplied(i, seen0, "KVM_RUN returned");
        if (accessPending)
        {
            if (pending is null or { Aborted: true }) pending = new Pending(expected ?? pc ?? 0);
            if (pc is { } seen && seen != pending.Pc && !pending.ReportedEarly)
            {
                pending.ReportedEarly = true;
                Add(PcFindingKind.EarlyAdvance, i, $"the exit for the access at 0x{pending.Pc:X} shows pc=0x{seen:X}: the PC moved before the access completed");
            }
            return;
        }
        if (pc is { } v && expected is { } e && v != e)
        {
            hidden = (long)e - (long)v;
            Add(PcFindingKind.StaleAtReturn, i, $"KVM_RUN returned with pc=0x{v:X} but the retired instructions put the PC at 0x{e:X}: an adjustment of {hidden:+#;-#} is still pending");
        }
    }

    private void CheckResume(int i, ulong pc, string what)
    {
        if (expected is not { } e || pc == e || HiddenApplied(i, pc, what)) return;
        if (lastRetiredPc == pc)
            Add(PcFindingKind.AbortedRetired, i, $"{what} at 0x{pc:X}, an instruction that had already retired");
        else
            Add(PcFindingKind.Unexplained, i, $"{what} at 0x{pc:X}, but the PC should be 0x{e:X}: no retirement explains the move");
    }

    /// <summary>Follows one observable event.</summary>
    public void Observe(int i, TraceEvent ev)
    {
        switch (ev)
        {
            case Exit x:
                OnReturn(i, x.Pc, x.Reason is KvmExitReason.KVM_EXIT_MMIO or KvmExitReason.KVM_EXIT_ARM_NISV);
                break;
            case RunFailed f:
                OnReturn(i, f.Pc, f.Errno == Errno.ENOSYS);
                break;
            case GetOneReg { Reg: OneReg.PC } g when expected is { } e && g.Value != e:
                if (pending is { Completed: false, Aborted: false } p && !p.ReportedEarly)
                {
                    p.ReportedEarly = true;
                    Add(PcFindingKind.EarlyAdvance, i, $"userspace reads pc=0x{g.Value:X} while the access at 0x{p.Pc:X} has not completed");
                }
                else if (pending is null)
                {
                    hidden = (long)e - (long)g.Value;
                    Add(PcFindingKind.StaleAtReturn, i, $"userspace reads pc=0x{g.Value:X} but the retired instructions put the PC at 0x{e:X}");
                }
                break;
            case SetVcpuEvents { ExtDabtPending: true, Error: null } when pending is { Completed: false }:
                // Userspace fails the access: from here it must not complete (api.rst, ext_dabt_pending).
                pending.Aborted = true;
                break;
            case SetOneReg { Reg: OneReg.PC } s:
                // The VMM moved the PC: whatever access was pending is abandoned.
                pending = null;
                expected = s.Value;
                lastRetiredPc = null;
                break;
            case Retired r:
                bool abortedRetired = r.Completion && pending is { Aborted: true };
                if (r.Completion && pending is { } pr)
                {
                    if (pr.Aborted)
                        Add(PcFindingKind.AbortedRetired, i, $"the access at 0x{pr.Pc:X} was aborted by userspace and is then completed by {r.By}");
                    else
                        CheckResume(i, r.Pc, "the completion retires");
                    pr.Completed = true;
                }
                else
                {
                    CheckResume(i, r.Pc, "an instruction retires");
                }
                if (!abortedRetired && header.Program?.At(r.Pc) is { } ins && !IsControlFlow(ins.Kind) && r.NextPc != r.Pc + Instruction.Length)
                    Add(PcFindingKind.Unexplained, i, $"0x{r.Pc:X} {ins.Mnemonic} moved the PC to 0x{r.NextPc:X}, not by its length");
                hidden = 0;
                expected = r.NextPc;
                lastRetiredPc = r.Pc;
                break;
            case ExceptionTaken x:
                if (pending is { } pa && x.IsDataAbort && x.Elr == pa.Pc)
                {
                    if (pa.Completed)
                        Add(PcFindingKind.AbortedRetired, i, $"an abort is delivered for the access at 0x{pa.Pc:X} after it was completed");
                    pa.Aborted = true;
                }
                else
                {
                    CheckResume(i, x.Elr, "an exception is taken with ELR_EL1");
                }
                hidden = 0;
                expected = x.Vector;
                lastRetiredPc = null;
                break;
        }
    }

    private static bool IsControlFlow(InstructionKind k) => k is InstructionKind.Branch or InstructionKind.Eret;
}
