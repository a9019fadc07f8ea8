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

    public static Verdict Check(Trace.Trace t)
    {
        if (!t.HasFullObservations && !t.Events.Any(e => e is Retired))
            return Verdict.NotCheckable(Id, $"profile '{t.Profile}' records no retirements");
        var v = new List<Violation>();
        bool stepping = false;
        Window? w = null;
        foreach (var (i, ev) in t.Observable())
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
                        v.Add(new Violation(Id, "past-vector", i, $"0x{r.Pc:X} {r.Insn} retired after the step had entered the vector 0x{w.Vector:X}"));
                    }
                    w.Count++;
                    w.AnyVmm |= r.By == RetiredBy.Vmm;
                    if (w.Count == 2 && !w.Reported)
                    {
                        w.Reported = true;
                        v.Add(new Violation(Id, w.AnyVmm ? "vmm-emulated" : "extra", i, $"a second instruction (0x{r.Pc:X} {r.Insn}, by {r.By}) retired in one host step"));
                    }
                    break;
                case ExceptionTaken x when w is not null:
                    w.ExceptionSeen = true;
                    w.Vector = x.Vector;
                    break;
                case Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG } x when w is not null:
                    if (x.Payload is DebugPayload p && p.Esr.EC is ExceptionClass.SOFTSTP_LOW or ExceptionClass.SOFTSTP_CUR
                        && w.Count == 0 && !(w.ExceptionSeen && (x.Pc is null || x.Pc == w.Vector || w.PcMoved)))
                        v.Add(new Violation(Id, "none", i, $"a step was reported at pc=0x{x.Pc:X} but no instruction retired"));
                    w = null;
                    break;
            }
        }
        return Verdict.Of(Id, v);
    }
}
