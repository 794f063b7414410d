-- screen.lua - wrk script for bench/serve_bench.sh: POST /v1/screen with the
-- bearer token, cycling through applicants shaped like a tracking-system
-- webhook (a name, sometimes a date of birth, emails, phones, URLs, a
-- wallet), some of them on the sanctions and indicator lists, some sharing
-- a phone with people in the demo case.
local token = os.getenv("UM_TOKEN")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
local bodies = {
  '{"name":"Jessica Nguyen","dob":"1991-04-12","emails":["jessica.nguyen@gmail.com"],"phones":["+1 604-281-9760"],"urls":["https://www.linkedin.com/in/jessica-nguyen-9baf30","https://github.com/jessicanguyen"]}',
  '{"name":"Karen Campbell","emails":["kcampbell21@gmail.com"],"phones":["(415) 307-3081"],"urls":["https://www.linkedin.com/in/karen-campbell-4cf810"]}',
  '{"name":"Kim Jong Un","dob":"1984-01-08"}',
  '{"name":"Song Kum Hyok","emails":["wangge327@yahoo.com"],"wallets":["0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"]}',
  '{"name":"Aaron Barnes","phones":["+1 602 547 2074"],"emails":["aaron.barnes.dev@gmail.com"],"urls":["https://github.com/aaronbarnes"]}',
  '{"name":"Mei Phillips","dob":"1995","emails":["mei.phillips@outlook.com"],"phones":["+44 20 7946 0018"],"urls":["https://t.me/meiph","https://mei-portfolio.vercel.app"]}',
  '{"name":"Jong Chol Ri","emails":["smartdev0725@gmail.com"],"urls":["https://github.com/smartdev0725"]}',
  '{"name":"Luis Barnes","emails":["luis.barnes@proton.me"],"phones":["+52 55 1234 5678"]}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])
end
