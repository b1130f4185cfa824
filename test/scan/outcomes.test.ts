import {describe, expect, it} from 'vitest'
import {prng, randomIp, scan} from './helpers.js'

const PORTS = [22, 23, 25, 110, 143, 445, 3389, 8080]

/** SRX RT_FLOW_SESSION_CLOSE (structured), one per first contact; the server sent `server` packets. */
function srx(i: number, dst: string, port: number, server: number): string {
  const t = `2025-03-14T10:${String(10 + i).padStart(2, '0')}:14.118+01:00`
  return `<14>1 ${t} srx-edge RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129 reason="${server ? 'TCP FIN' : 'idle Timeout'}" source-address="10.3.0.20" source-port="${50100 + i}" destination-address="${dst}" destination-port="${port}" connection-tag="0" service-name="None" nat-source-address="203.0.113.20" nat-source-port="${31000 + i}" nat-destination-address="${dst}" nat-destination-port="${port}" protocol-id="6" policy-name="p" source-zone-name="campus" destination-zone-name="internet" session-id-32="${880000 + i}" packets-from-client="${server ? 9 : 2}" bytes-from-client="500" packets-from-server="${server}" bytes-from-server="${server * 100}" elapsed-time="${server ? 5 : 20}" application="UNKNOWN"]`
}

/** FortiGate traffic log of one session; the peer sent `rcvd` packets. */
function fgt(i: number, dst: string, port: number, rcvd: number): string {
  return `date=2025-03-14 time=15:${String(10 + i).padStart(2, '0')}:47 tz="+0000" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=10.20.1.15 srcport=${50200 + i} srcintf="lan" dstip=${dst} dstport=${port} dstintf="wan1" sessionid=${7712000 + i} proto=6 action="${rcvd ? 'close' : 'timeout'}" policyid=5 trandisp="snat" transip=203.0.113.80 transport=${50200 + i} duration=${rcvd ? 3 : 10} sentbyte=120 rcvdbyte=${rcvd * 60} sentpkt=2 rcvdpkt=${rcvd}`
}

describe('first-contact outcomes from session logs feed the Threshold Random Walk', () => {
  it('reads SRX packets-from-server="0" as unanswered: eight dead first contacts are a scan', () => {
    const r = prng(31)
    const [d] = scan('juniper-srx', PORTS.map((p, i) => srx(i, randomIp(r), p, 0))).detections
    expect(d).toMatchObject({sourceIp: '10.3.0.20', direction: 'out'})
    expect(d!.outcomes).toEqual({answered: 0, unanswered: 8, unknown: 0})
    expect(d!.trw.decided).toBe('scanner')
  })

  it('reads SRX sessions the server answered as answered: the same contacts are no scan', () => {
    const r = prng(31)
    expect(scan('juniper-srx', PORTS.map((p, i) => srx(i, randomIp(r), p, 7))).detections).toEqual([])
  })

  it('reads FortiGate rcvdpkt=0 as unanswered and rcvdpkt>0 as answered', () => {
    const r = prng(32)
    const dead = PORTS.map((p, i) => fgt(i, randomIp(r), p, 0))
    const [d] = scan('fortigate', dead).detections
    expect(d).toMatchObject({sourceIp: '10.20.1.15'})
    expect(d!.outcomes.unanswered).toBe(8)
    const live = PORTS.map((p, i) => fgt(i, randomIp(r), p, 4))
    expect(scan('fortigate', live).detections).toEqual([])
  })
})

describe('routed customer addresses (no NAT)', () => {
  it('counts a session from a public customer address as outbound when --our-networks covers it, inbound otherwise', () => {
    const r = prng(34)
    const lines = PORTS.map((p, i) => fgt(i, randomIp(r), p, 0).replace('srcip=10.20.1.15', 'srcip=198.51.100.77').replace(/trandisp="snat" transip=\S+ transport=\S+ /, 'trandisp="noop" '))
    const ours = new Set(['198.51.100.77'])
    expect(scan('fortigate', lines, {isOurs: (ip) => ours.has(ip)}).detections[0]).toMatchObject({sourceIp: '198.51.100.77', direction: 'out'})
    expect(scan('fortigate', lines).detections[0]).toMatchObject({sourceIp: '198.51.100.77', direction: 'in'})
  })
})

describe('TCP flags from pf filterlog', () => {
  it('counts SYN-only first contacts ("S") and segments with ACK ("A")', () => {
    const r = prng(33)
    const lines: string[] = []
    for (let i = 0; i < 22; i++) {
      const ts = `Mar  3 21:${String(10 + Math.floor(i / 2)).padStart(2, '0')}:0${i % 2}`
      lines.push(`${ts} fw filterlog[4411]: 5,,,1000000103,igb1,match,pass,in,4,0x0,,63,${2200 + i},0,DF,6,tcp,60,192.168.7.40,${randomIp(r)},${40000 + i},${[80, 443, 8080][i % 3]},0,S,1,,64240,,mss`)
    }
    const [d] = scan('pf', lines).detections
    expect(d).toMatchObject({kind: 'syn-only', sourceIp: '192.168.7.40'})
    expect(d!.tcpFlags).toEqual({synOnly: 22, withAck: 0})
  })
})
