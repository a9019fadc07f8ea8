using System.Text.Json.Nodes;
using Kvmspec.Spec.Arm64;

namespace Kvmspec.Spec.Trace;

/// <summary>Writes trace events as version-1 JSON objects (one per JSON Lines line): the trace's
/// I/O boundary, where bit encodings appear.</summary>
public static class TraceJson
{
    public const int Version = 1;

    public static JsonObject Event(TraceEvent e)
    {
        var o = new JsonObject { ["v"] = Version, ["kind"] = e.Verb };
        switch (e)
        {
            case SetGuestDebug g: o["control"] = (uint)g.Control; o["flags"] = SetGuestDebug.Format(g.Control); if (g.HwBreakpoint is { } hb) o["dbg_bvr0"] = hb; break;
            case Run r: o["immediate_exit"] = r.ImmediateExit; break;
            case CompleteMmio m: o["data"] = m.Data; break;
            case SetVcpuEvents s: o["ext_dabt_pending"] = s.ExtDabtPending; o["serror_pending"] = s.SErrorPending; if (s.Error is { } se) o["error"] = se.ToString(); break;
            case GetOneReg g: o["reg"] = g.Reg.ToString().ToLowerInvariant(); o["value"] = g.Value; break;
            case SetOneReg s: o["reg"] = s.Reg.ToString().ToLowerInvariant(); o["value"] = s.Value; if (s.Error is { } sre) o["error"] = sre.ToString(); break;
            case EnableCap c: o["cap"] = (uint)c.Cap; o["name"] = c.Cap.ToString(); if (c.Error is { } ce) o["error"] = ce.ToString(); break;
            case InterruptPending i: o["target"] = i.Target.ToString().ToLowerInvariant(); break;
            case Exit x:
                o["reason"] = x.Reason.ToString();
                o["exit_reason"] = (uint)x.Reason;
                if (x.Pc is { } pc) o["pc"] = pc;
                switch (x.Payload)
                {
                    case DebugPayload d: o["hsr"] = d.Arch.hsr; o["hsr_high"] = d.Arch.hsr_high; o["far"] = d.Arch.far; o["flags"] = d.Flags; break;
                    case MmioPayload m: o["phys_addr"] = m.PhysAddr; o["len"] = m.Len; o["is_write"] = m.IsWrite; o["data"] = m.Data; break;
                    case NisvPayload n: o["esr_iss"] = n.EsrIss; o["fault_ipa"] = n.FaultIpa; break;
                }
                break;
            case RunFailed f: o["errno"] = f.Errno.ToString(); if (f.Pc is { } fpc) o["pc"] = fpc; break;
            case Retired r:
                o["pc"] = r.Pc; o["next_pc"] = r.NextPc; o["by"] = r.By.ToString().ToLowerInvariant(); o["insn"] = r.Insn;
                if (r.Completion) o["completion"] = true;
                if (r.Data is { } d2) o["data"] = d2;
                break;
            case ExceptionTaken x:
                o["vector"] = x.Vector; o["elr"] = x.Elr; o["spsr"] = x.Spsr.Encode();
                if (x.Esr is { } esr) o["esr"] = esr.Encode();
                break;
            case GuestRegRead g: o["reg"] = g.Reg.ToString(); o["value"] = g.Value; break;
            case GuestRegWrite g: o["reg"] = g.Reg.ToString(); o["value"] = g.Value; break;
            case GetRegList l: o["regs"] = new JsonArray(l.Regs.Select(r => (JsonNode)r.ToString().ToLowerInvariant()).ToArray()); break;
            case Entered en: o["pc"] = en.Pc; break;
            case Migrate m: o["source"] = m.Source; o["destination"] = m.Destination; break;
            case Note n: o["lane"] = n.At.ToString().ToLowerInvariant(); o["text"] = n.Text; break;
        }
        return o;
    }

    public static JsonObject Header(Trace t) => new()
    {
        ["v"] = Version,
        ["kind"] = "header",
        ["arch"] = t.Arch,
        ["profile"] = t.Profile,
        ["producer"] = t.Producer,
        ["initial_pc"] = t.InitialPc,
        ["initial_pstate"] = t.InitialPstate,
        ["program"] = new JsonArray(t.Program.Body.Select(i => (JsonNode)new JsonObject
        {
            ["kind"] = i.Kind.ToString(),
            ["mnemonic"] = i.Mnemonic,
            ["target"] = i.Kind == InstructionKind.Branch ? i.Target : null,
            ["reg"] = i.Kind is InstructionKind.MsrImm or InstructionKind.MrsReg ? i.Reg.ToString() : null,
            ["value"] = i.Kind == InstructionKind.MsrImm ? i.Value : null,
            ["stage2_fault"] = i.Stage2Fault ? true : null,
        }).ToArray()),
    };
}
