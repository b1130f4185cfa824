import {describe, expect, it} from 'vitest'
import {iso, mail, reportOf} from './helpers.js'

describe('generic-text', () => {
  it('reads a header table with separate src_port: the source port is ours', async () => {
    const r = await reportOf(
      mail({Subject: 'Brute force from 198.51.100.20 [Ticket#77812]'}, [
        'timestamp                 src_ip          src_port  dst_ip        dst_port  proto',
        '2013-06-18 15:53:34 UTC   198.51.100.20   40112     203.0.113.9   22        tcp',
        '2013-06-18 15:53:35 UTC   198.51.100.20   40112     203.0.113.9   22        tcp',
        '2013-06-18 16:10:00 UTC   198.51.100.20   40190     203.0.113.9   22        tcp',
      ].join('\n')),
    )
    expect(r.format).toBe('generic-text')
    expect(r.ticket).toBe('Ticket#77812')
    expect(r.incidents).toHaveLength(2)
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.20', publicPort: 40112, portRole: 'source', destIp: '203.0.113.9', destPort: 22, protocol: 'tcp'})
    expect(r.incidents[0]!.times).toHaveLength(2)
    expect(iso(r.incidents[0]!.time)).toBe('2013-06-18T15:53:34Z')
    expect(r.incidents[0]!.zone.how).toBe('stated')
  })

  it('reads ip:port -> ip:port flow lines with CLF stamps and offsets', async () => {
    const r = await reportOf(mail({Subject: 'abuse'}, '18/Jun/2013:15:53:34 -0300 198.51.100.20:40112 -> 203.0.113.9:443 TCP\n'))
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.20', publicPort: 40112, portRole: 'source', destPort: 443})
    expect(iso(r.incidents[0]!.time)).toBe('2013-06-18T18:53:34Z')
  })

  it('never takes an attacked port for our source port in prose', async () => {
    const r = await reportOf(mail({Subject: 'SSH attack from 198.51.100.20'}, 'Host 198.51.100.20 attacked our server on port 22 at 2013-06-18 15:53:34 GMT-3.\n'))
    const inc = r.incidents[0]!
    expect(inc.publicIp).toBe('198.51.100.20')
    expect(inc.portRole).toBe('destination')
    expect(inc.publicPort).toBe(22)
    expect(inc.destPort).toBe(22)
    expect(iso(inc.time)).toBe('2013-06-18T18:53:34Z')
  })

  it('reads zone abbreviations, RFC 2822 and syslog stamps; zone-less stamps fall back to the Date header offset', async () => {
    const r1 = await reportOf(mail({Subject: 'x'}, 'Tue, 18 Jun 2013 15:53:34 EDT 198.51.100.20 source port 51000\n'))
    expect(iso(r1.incidents[0]!.time)).toBe('2013-06-18T19:53:34Z')
    expect(r1.incidents[0]!.portRole).toBe('source')
    const r2 = await reportOf(mail({Subject: 'x', Date: 'Tue, 18 Jun 2013 20:00:00 +0200'}, 'Jun 18 15:53:34 fw01 blocked 198.51.100.20\n'))
    expect(iso(r2.incidents[0]!.time)).toBe('2013-06-18T13:53:34Z')
    expect(r2.incidents[0]!.zone).toEqual({zone: 'UTC+2', how: 'header'})
  })

  it('reads epoch stamps and IPv6 flows', async () => {
    const r = await reportOf('1371570814 [2001:db8::7]:40112 -> [2001:db8:1::9]:25 tcp\n', {}, 'mem.txt')
    expect(r.incidents[0]).toMatchObject({publicIp: '2001:db8::7', publicPort: 40112, portRole: 'source', destIp: '2001:db8:1::9', destPort: 25})
    expect(r.incidents[0]!.zone.how).toBe('epoch')
    expect(iso(r.incidents[0]!.time)).toBe('2013-06-18T15:53:34Z')
  })

  it('flags an ambiguous abbreviation', async () => {
    const r = await reportOf(mail({Subject: 'x'}, '2013-06-18 15:53:34 IST 198.51.100.20\n'))
    expect(iso(r.incidents[0]!.time)).toBe('2013-06-18T10:23:34Z')
    expect(r.assumptions.some((a) => /IST/.test(a.text))).toBe(true)
  })

  it('reads a bare key: value text file (not mistaken for an e-mail header block)', async () => {
    const r = await reportOf('Date: 2013-06-18 15:53:34 UTC\nSource: 198.51.100.9\nPort: 22\n', {}, 'mem.txt')
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.9', publicPort: 22, portRole: 'destination'})
    expect(iso(r.incidents[0]!.time)).toBe('2013-06-18T15:53:34Z')
  })

  it('refuses a report that names an IP but no time, saying why', async () => {
    await expect(reportOf('Hello, your IP 198.51.100.9 sends spam. Stop it.\n', {}, 'mem.txt')).rejects.toThrow(/198\.51\.100\.9 but no time/)
  })

  it('keeps rows to different masked hosts apart and reads a declared "Time Zone:"', async () => {
    const r = await reportOf(
      mail({Subject: 'Incident [4242] Src:(198.51.100.3)'}, [
        'Source IP: 198.51.100.3',
        'Time Zone: UTC',
        '',
        'Agent, Event Date Time, Destination IP, IP Protocol, Target Port, Source Port',
        'a1, 30 Oct 2003 22:10:04, 68.19.x.x, 6, 137, 1038',
        'a2, 30 Oct 2003 22:11:04, 81.7.x.x, 6, 137, 1038',
      ].join('\n')),
    )
    expect(r.ticket).toBe('4242')
    expect(r.incidents).toHaveLength(2)
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.3', publicPort: 1038, portRole: 'source', destIp: null, destPort: 137, protocol: 'tcp'})
    expect(r.incidents[0]!.zone).toEqual({zone: 'UTC', how: 'stated'})
  })

  it('reads the reported IP as the TARGET of a flow: its port is a listening port, not a source port', async () => {
    const r = await reportOf(mail({Subject: 'Open telnet on 198.51.100.33'}, '2024-01-05 10:00:00 UTC 192.0.2.250:61000 -> 198.51.100.33:23 tcp\n'))
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.33', publicPort: 23, portRole: 'listening', destIp: '192.0.2.250'})
  })

  it('reads "port N is open on IP" prose as a listening port, and a reversed arrow flow', async () => {
    const r = await reportOf(mail({Subject: 'x'}, 'On 2024-01-05 10:00:00 UTC port 11211 was found open on 198.51.100.34.\n'))
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.34', publicPort: 11211, portRole: 'listening'})
    const r2 = await reportOf(mail({Subject: 'x'}, '2024-01-05 10:00:00 UTC 192.0.2.9:22 <- 198.51.100.35:40000\n'))
    expect(r2.incidents[0]).toMatchObject({publicIp: '198.51.100.35', publicPort: 40000, portRole: 'source', destIp: '192.0.2.9', destPort: 22})
  })
})

describe('generic-text prose with several addresses', () => {
  it('takes the address the words call the source, not our victim server', async () => {
    const {reportOf, mail} = await import('./helpers.js')
    const r = await reportOf(mail({Subject: 'attack'}, 'Our server 192.0.2.1 was attacked at 2013-06-18 15:53:34 UTC by 198.51.100.7 on port 443.\n'))
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.7', destIp: '192.0.2.1', portRole: 'destination', publicPort: 443})
  })

  it('reads ticket tags of other CERTs', async () => {
    const {reportOf, mail} = await import('./helpers.js')
    const r = await reportOf(mail({Subject: '[CERT-Bund#2025041012000123] Hosts in your network'}, '2025-04-10 08:00:00 UTC 198.51.100.8:5000 -> 192.0.2.2:80\n'))
    expect(r.ticket).toBe('CERT-Bund#2025041012000123')
    const r2 = await reportOf(mail({Subject: 'Abuse report, Case #A-20931'}, '2025-04-10 08:00:00 UTC 198.51.100.8:5000 -> 192.0.2.2:80\n'))
    expect(r2.ticket).toBe('Case #A-20931')
  })
})

describe('unknown charsets', () => {
  it('reads the text anyway and warns', async () => {
    const {reportOf, mail} = await import('./helpers.js')
    const r = await reportOf(mail({Subject: 'x', 'Content-Type': 'text/plain; charset="x-klingon-7"'}, '2025-04-10 08:00:00 UTC 198.51.100.8:5000 -> 192.0.2.2:80\n'))
    expect(r.incidents[0]!.publicIp).toBe('198.51.100.8')
    expect(r.assumptions.some((a) => /unknown charset "x-klingon-7"/.test(a.text))).toBe(true)
  })
})

describe('CSV attachments from other CERTs', () => {
  it('reads a quoted CSV with many columns and an offset in the timestamp', async () => {
    const {reportOf, mail, iso} = await import('./helpers.js')
    const csv = [
      '"asn","ip","timestamp","malware","src_port","dst_ip","dst_port","dst_host","proto","note"',
      '"64500","198.51.100.90","2025-04-10 10:01:02 +0200","andromeda","49877","192.0.2.66","80","sinkhole.example","tcp","seen, twice"',
    ].join('\n')
    const r = await reportOf(
      mail({Subject: '[CERT-Bund#2025041000000001] Infected systems', 'Content-Type': 'multipart/mixed; boundary="c"'}, `--c\nContent-Type: text/plain\n\nSee attachment.\n\n--c\nContent-Type: text/csv; name="events.csv"\nContent-Disposition: attachment; filename="events.csv"\n\n${csv}\n--c--\n`),
    )
    expect(r.incidents).toHaveLength(1)
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.90', publicPort: 49877, portRole: 'source', destIp: '192.0.2.66', destPort: 80, protocol: 'tcp'})
    expect(iso(r.incidents[0]!.time)).toBe('2025-04-10T08:01:02Z')
  })
})

describe('language and reply-to requests', () => {
  it('does not take "copyright" for a request to copy, nor domain names for Portuguese words', async () => {
    const {requestedReplyTo, detectLanguage} = await import('../../src/report/common.js')
    expect(requestedReplyTo('Copyright holder: legal@studio.example\n')).toEqual([])
    expect(requestedReplyTo('Por favor, responda com cópia para cert@cert.br.\n')).toEqual(['cert@cert.br'])
    expect(detectLanguage('reports@example.com contact@example.com www.example.com para.com ExampleOrg Activity PortScan')).toBeNull()
  })
})

describe('reply-to requests spanning lines', () => {
  it('reads an address list a few lines below the request, and the Cc header when it says "listed above"', async () => {
    const {requestedReplyTo} = await import('../../src/report/common.js')
    const text = 'Pedimos que responda com cópia para os endereços\nlistados acima e abaixo:\n\n   seguranca@cert.example, noc@cert.example\n\nObrigado, equipe@cert.example\n'
    expect(requestedReplyTo(text, ['cc-list@cert.example'])).toEqual(['seguranca@cert.example', 'noc@cert.example', 'cc-list@cert.example'])
  })
})

describe('generic-text: column names with spaces and labelled flows', () => {
  it('reads a table aligned with runs of spaces whose column names contain a space', async () => {
    const r = await reportOf(
      mail({Subject: 'HTTP flood from 203.0.113.40'}, [
        'Source IP       Source port  Destination        Dest port  Time (UTC)',
        '203.0.113.40    21877        198.51.100.200     443        2025-03-14T08:15:10Z',
      ].join('\n')),
    )
    expect(r.incidents).toHaveLength(1)
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.40', publicPort: 21877, portRole: 'source', destIp: '198.51.100.200', destPort: 443})
  })

  it('reads "Origen: ip:port  Destino: ip:port" as a flow whose source port is ours', async () => {
    const r = await reportOf(mail({Subject: 'Escaneo de puertos'}, 'Fecha: 2026-03-03 21:14:02 -0300  Origen: 198.51.100.20:40112  Destino: 203.0.113.80:443  TCP\n'))
    expect(r.incidents[0]).toMatchObject({publicIp: '198.51.100.20', publicPort: 40112, portRole: 'source', destIp: '203.0.113.80', destPort: 443, protocol: 'tcp'})
  })

  it('does not take a labelled destination port for our source port', async () => {
    const r = await reportOf(mail({Subject: 'Escaneo'}, 'Fecha: 2026-03-03 21:14:02 -0300  Destino: 203.0.113.80:443  Origen: 198.51.100.20\n'))
    for (const i of r.incidents) expect(i.portRole === 'source' && i.publicPort === 443).toBe(false)
  })
})

describe('generic-text on hostile lines', () => {
  it('reads a report with megabyte-long runs of digits, spaces and hyphenated words in linear time', async () => {
    const body = ['2013-06-18T18:53:34Z 203.0.113.5:52218 -> 198.51.100.9:22 tcp', '1'.repeat(400_000), `src ${' '.repeat(400_000)}x |`, 'a-'.repeat(200_000)].join('\n')
    // a quadratic regex takes minutes here: the test would hit vitest's timeout (no timing assertion of our own)
    const r = await reportOf(mail({Subject: 'abuse'}, body))
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.5', publicPort: 52218, portRole: 'source'})
  })
})

describe('generic-text: source ports in pasted log lines', () => {
  it('reads the client port of an sshd auth.log line as our source port', async () => {
    const r = await reportOf(mail({Subject: 'SSH brute force from 203.0.113.5'}, 'Jun 18 15:53:34 2013 UTC sshd[4242]: Failed password for root from 203.0.113.5 port 52218 ssh2\n'))
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.5', publicPort: 52218, portRole: 'source'})
  })
  it('reads SPT=/DPT= of a pasted iptables line', async () => {
    const r = await reportOf(mail({Subject: 'scan from 203.0.113.5'}, '2013-06-18T18:53:34Z IN=eth0 OUT= SRC=203.0.113.5 DST=198.51.100.9 PROTO=TCP SPT=52218 DPT=22 SYN\n'))
    expect(r.incidents[0]).toMatchObject({publicIp: '203.0.113.5', publicPort: 52218, portRole: 'source', destPort: 22})
  })
})
