//! Error pages inside the company's frame. A handler's error becomes a page without
//! knowing the host; this layer, which does, draws a refusal or a missing page again with
//! the company's branding and a way back home (the portal's or the office's), so a wrong
//! link is never a dead end. Unknown hosts keep the plain page.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::error::{ErrorShown, WayBack};
use crate::tenant::{company_of_host, host_of};
use crate::views::Brand;

/// Redraws error pages of a company's host inside its frame.
pub async fn in_company_frame(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let host = host_of(request.headers(), request.uri()).to_owned();
    let path = request.uri().path();
    let office = path == "/office" || path.starts_with("/office/");
    let response = next.run(request).await;
    let Some(shown) = response.extensions().get::<ErrorShown>().cloned() else {
        return response;
    };
    let Ok(Some(company)) = company_of_host(&state, &host).await else {
        return response;
    };
    let brand = Brand::of(&company);
    let way_back = if office {
        WayBack {
            brand,
            href: "/office",
            label: "Go to the office home",
        }
    } else {
        WayBack {
            brand,
            href: "/",
            label: "Go to your home page",
        }
    };
    let Some(html) = shown.render(way_back) else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}
