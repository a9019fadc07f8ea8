using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>STEP-ONE: a host single-step retires exactly one guest instruction, or none only when
/// it ends at an exception vector.</summary>
/// <remarks>
/// A step starts at the first KVM_RUN after KVM_GUESTDBG_SINGLESTEP was turned on or after the
/// previous debug exit; it ends at the next KVM_EXIT_DEBUG. A KVM_SET_ONE_REG of the PC does not
/// cancel a step in flight: the hardware still delivers a pending step exception at the new PC. It may span several KVM_RUN calls (an MMIO
/// exit and its completion). Paths: <c>extra</c> (a second instruction retired), <c>vmm-emulated</c>
/// (the second retirement involves the VMM's own emulation), <c>past-vector</c> (an instruction retired
/// after an exception entry: the step should have stopped at the vector), <c>none</c> (a step exit
/// with nothing retired, not at a vector).
/// </remarks>
public static class StepOne
{
    public const string Id = "STEP-ONE";

    private sealed class Window
    {
        public int Count;
        public bool AnyVmm, ExceptionSeen, Reported, PcMoved;
        public ulong Vector;
    }

    /// <summary>The full-profile monitor.</summary>
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        private bool stepping;
        private Window? w;

        public override void Observe(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case SetGuestDebug g:
                    // Re-issuing the same stepping request does not start a new step (QEMU calls
                    // KVM_SET_GUEST_DEBUG before runs); turning stepping on or off does.
                    bool now = g.Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_ENABLE) && g.Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP);
                    if (now != stepping) w = null;
                    stepping = now;
                    break;
                case Migrate:
                    // A new vCPU on the destination: the debugger's KVM_SET_GUEST_DEBUG stays with the source.
                    stepping = false;
                    w = null;
                    break;
                case SetOneReg { Reg: OneReg.PC } when w is not null:
                    w.PcMoved = true;
                    break;
                case Run when stepping:
                    w ??= new Window();
                    break;
                case Retired r when w is not null:
                    if (w.ExceptionSeen && !w.Reported)
                    {
                        w.Reported = true;
                        Report("past-vector", i, $"0x{r.Pc:X} {r.Insn} retired after the step had entered the vector 0x{w.Vector:X}");
                    }
                    w.Count++;
                    w.AnyVmm |= r.By == RetiredBy.Vmm;
                    if (w.Count == 2 && !w.Reported)
                    {
                        w.Reported = true;
                        Report(w.AnyVmm ? "vmm-emulated" : "extra", i, $"a second instruction (0x{r.Pc:X} {r.Insn}, by {r.By}) retired in one host step");
                    }
                    break;
                case ExceptionTaken x when w is not null:
                    w.ExceptionSeen = true;
                    w.Vector = x.Vector;
                    break;
                case Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG } x when w is not null:
                    if (x.Payload is DebugPayload p && p.Esr.EC is ExceptionClass.SOFTSTP_LOW or ExceptionClass.SOFTSTP_CUR
                        && w.Count == 0 && !(w.ExceptionSeen && (x.Pc is null || x.Pc == w.Vector || w.PcMoved)))
                        Report("none", i, $"a step was reported at pc=0x{x.Pc:X} but no instruction retired");
                    w = null;
                    break;
            }
        }
    }

    /// <summary>The step-log monitor: each <see cref="StepRecord"/> is one host step. A step that entered
    /// an exception must end at its vector (<c>past-vector</c>); otherwise the step must move the PC by
    /// the instruction's length or, for a branch whose target the record names, to that target
    /// (<c>extra</c>: the PC moved elsewhere, so more than one instruction ran; <c>none</c>: the PC did
    /// not move and nothing was entered). A control-flow instruction without a known target cannot be
    /// decided; a log with any such step and no violation is not checkable, never "holds".</summary>
    public static Monitor StartStepLog(JudgeContext c) => new StepLog(c);

    private sealed class StepLog(JudgeContext c) : Monitor(Id, c)
    {
        private int steps, undecided;
        private string? firstUndecided;

        public override void Observe(int i, TraceEvent ev)
        {
            if (ev is not StepRecord s) return;
            steps++;
            ulong fallThrough = s.Pc + (ulong)s.Len;
            if (s.Exception is { } x)
            {
                if (s.NextPc != x.Vector)
                    Report("past-vector", i, $"the step from 0x{s.Pc:X} ({s.Insn}) entered the exception vector 0x{x.Vector:X} but stopped at 0x{s.NextPc:X}: it ran on past the vector");
                return;
            }
            if (s.NextPc == fallThrough) return;
            var shape = StepLogInstruction.Classify(s.Insn);
            if (shape.ControlFlow)
            {
                if (shape.Target is not { } target)
                {
                    undecided++;
                    firstUndecided ??= $"0x{s.Pc:X} {s.Insn}";
                    return;
                }
                if (s.NextPc == target) return;
            }
            if (s.NextPc == s.Pc)
                Report("none", i, $"the step at 0x{s.Pc:X} ({s.Insn}) ended where it began with no exception entered: nothing retired");
            else
                Report("extra", i, $"the step from 0x{s.Pc:X} ({s.Insn}, {s.Len} bytes) ended at 0x{s.NextPc:X}, not at 0x{fallThrough:X}{(shape.Target is { } tg ? $" or the target 0x{tg:X}" : "")}: more than one instruction ran");
        }

        public override Verdict Finish()
        {
            if (Total > 0) return base.Finish();
            if (steps == 0) return Verdict.NotCheckable(Id, "the step log has no step records");
            if (undecided > 0)
                return Verdict.NotCheckable(Id, $"{undecided} of {steps} steps are control flow without a known target (first: {firstUndecided}); the others retire exactly one instruction");
            return base.Finish();
        }
    }
}
