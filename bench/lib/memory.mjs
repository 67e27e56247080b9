// Peak memory of a process tree (wrangler and the workerd it starts), sampled from /proc (Linux).
import { readdirSync, readFileSync } from "node:fs";

const KIB = 1024;

function readProc(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may contain spaces and parentheses: the fields after it start after the last ")".
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return { pid, comm, ppid: Number(fields[1]), pgrp: Number(fields[2]), rssKiB: rss ? Number(rss[1]) : 0 };
  } catch {
    return undefined; // the process ended while we looked
  }
}

/** Every live process: pid, comm, ppid, process group and RSS. */
export function listProcesses() {
  const out = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** The processes descending from rootPid (itself included). */
export function processTree(rootPid, procs = listProcesses()) {
  const children = new Map();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const tree = [];
  const root = procs.find((p) => p.pid === rootPid);
  const stack = root ? [root] : [];
  while (stack.length > 0) {
    const p = stack.pop();
    tree.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return tree;
}

/** Samples the tree's RSS every intervalMs; stop() returns peaks in MiB (workerd alone and the whole tree). */
export function sampleMemory(rootPid, intervalMs = 200) {
  const peak = { workerdKiB: 0, treeKiB: 0, samples: 0 };
  let last = { workerdKiB: 0, treeKiB: 0 };
  let phasePeakKiB = 0;
  const take = () => {
    const tree = processTree(rootPid);
    const workerdKiB = tree.filter((p) => p.comm.startsWith("workerd")).reduce((s, p) => s + p.rssKiB, 0);
    const treeKiB = tree.reduce((s, p) => s + p.rssKiB, 0);
    last = { workerdKiB, treeKiB };
    peak.workerdKiB = Math.max(peak.workerdKiB, workerdKiB);
    phasePeakKiB = Math.max(phasePeakKiB, workerdKiB);
    peak.treeKiB = Math.max(peak.treeKiB, treeKiB);
    peak.samples++;
  };
  take();
  const timer = setInterval(take, intervalMs);
  timer.unref();
  const mib = (kib) => Number((kib / KIB).toFixed(1));
  return {
    /** The current workerd RSS in MiB (e.g. the idle baseline before load). */
    now: () => {
      take();
      return mib(last.workerdKiB);
    },
    /** workerd RSS peak since the previous call and now, in MiB: which scenario grew memory. */
    phase: () => {
      take();
      const out = { peak_mib: mib(phasePeakKiB), end_mib: mib(last.workerdKiB) };
      phasePeakKiB = last.workerdKiB;
      return out;
    },
    stop: () => {
      clearInterval(timer);
      take();
      return {
        peak_workerd_rss_mib: mib(peak.workerdKiB),
        peak_tree_rss_mib: mib(peak.treeKiB),
        samples: peak.samples,
        interval_ms: intervalMs,
      };
    },
  };
}
